"""timers: one SLA timer per (ticket, target), at its next alert level, instead of one per alert level

A ticket had a timer row per level of each target (the warning, the breach, each escalation: eight with the built-in
chain), written with the ticket; now each target has one row, `sla:{code}:{target}`, whose payload names the next
level and which moves on to the level after when it fires. Each group of rows becomes its lowest level still waiting
(pending or held), or — when none waits — its highest level as it stands (fired, cancelled or failed).

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

from core.storage.types import UTCDateTime


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TIMERS = sa.table('timers', sa.column('id', sa.Integer), sa.column('kind', sa.String), sa.column('key', sa.String),
                  sa.column('status', sa.String), sa.column('payload', sa.JSON), sa.column('due_at', UTCDateTime(timezone=True)),
                  sa.column('created_at', UTCDateTime(timezone=True)),
                  sa.column('fired_at', UTCDateTime(timezone=True)),
                  sa.column('attempts', sa.Integer), sa.column('last_error', sa.Text))
WAITING = ('pending', 'held')


def _sla_rows() -> list[sa.Row]:
    return list(op.get_bind().execute(sa.select(TIMERS.c.id, TIMERS.c.key, TIMERS.c.status, TIMERS.c.payload)
                                      .where(TIMERS.c.kind == 'sla').order_by(TIMERS.c.id)))


def upgrade() -> None:
    groups: dict[tuple[str, str], list[sa.Row]] = {}
    for row in _sla_rows():
        groups.setdefault((row.payload['ticket'], row.payload['target']), []).append(row)
    kept: list[dict[str, object]] = []
    dropped: list[int] = []
    for (code, target), rows in groups.items():
        waiting = sorted((r for r in rows if r.status in WAITING), key=lambda r: int(r.payload['level']))
        keep = waiting[0] if waiting else max(rows, key=lambda r: int(r.payload['level']))
        kept.append({'row_id': keep.id, 'new_key': f'sla:{code}:{target}'})
        dropped += [r.id for r in rows if r.id != keep.id]
    bind = op.get_bind()
    for start in range(0, len(dropped), 500):
        bind.execute(sa.delete(TIMERS).where(TIMERS.c.id.in_(dropped[start:start + 500])))
    if kept:
        bind.execute(sa.update(TIMERS).where(TIMERS.c.id == sa.bindparam('row_id'))
                     .values(key=sa.bindparam('new_key')), kept)


def downgrade() -> None:
    """Each target's row becomes the row of its level, and the levels before it get rows marked fired (they were
    sent), so that re-arming the ticket schedules none of them again."""
    bind = op.get_bind()
    rows = list(bind.execute(sa.select(TIMERS.c.id, TIMERS.c.key, TIMERS.c.payload, TIMERS.c.due_at,
                                       TIMERS.c.created_at).where(TIMERS.c.kind == 'sla')))
    renamed = [{'row_id': r.id, 'new_key': f"{r.key}:{int(r.payload['level'])}"} for r in rows]
    sent = [{'kind': 'sla', 'key': f'{r.key}:{level}', 'due_at': r.due_at, 'payload': {**r.payload, 'level': level},
             'status': 'fired', 'attempts': 0, 'last_error': '', 'created_at': r.created_at, 'fired_at': r.due_at}
            for r in rows for level in range(int(r.payload['level']))]
    if renamed:
        bind.execute(sa.update(TIMERS).where(TIMERS.c.id == sa.bindparam('row_id'))
                     .values(key=sa.bindparam('new_key')), renamed)
    if sent:
        bind.execute(sa.insert(TIMERS), sent)
