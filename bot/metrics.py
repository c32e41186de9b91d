"""Prometheus metrics of one hub (own registry, so several hubs can live in one test process)."""
from __future__ import annotations

from typing import Hashable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[Counter, tuple[Hashable, ...]], Counter] = {}
        self.inbound = Counter("aftersales_inbound_processed", "Inbound messages processed",
                               ["channel", "handler"], registry=self.registry)
        self.accepted = Counter("aftersales_inbound_accepted", "Inbound messages committed to the inbox",
                                ["channel", "result"], registry=self.registry)
        self.latency = Histogram("aftersales_processing_lag_seconds", "Inbox commit to processed",
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
                                 registry=self.registry)
        self.outbound = Counter("aftersales_outbound", "Outbound send attempts", ["channel", "result"],
                                registry=self.registry)
        self.commit = Histogram("aftersales_intake_commit_seconds",
                                "What a platform waits for its acknowledgement: intake call to inbox commit",
                                buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
                                registry=self.registry)
        self.loop_lag = Histogram("aftersales_event_loop_lag_seconds",
                                  "How late the event loop ran a timer: what every acknowledgement waits behind",
                                  buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1),
                                  registry=self.registry)
        self.inbox_failed = Counter("aftersales_inbox_failed", "Inbox messages given up after every retry (each "
                                    "sender got an apology, the supervisors an alert)", ["channel"],
                                    registry=self.registry)
        self.backlog = Gauge("aftersales_inbox_backlog", "Inbox rows not yet processed (read when scraped)",
                             registry=self.registry)

    def counted(self, counter: Counter, *labels: Hashable) -> Counter:
        """`counter.labels(*labels)`, kept: counters are counted for every message, and `labels` turns the values
        into strings and takes a lock to find the child each time; the label values are few."""
        key = (counter, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = counter.labels(*labels)
        return child

    def render(self) -> bytes:
        return generate_latest(self.registry)
