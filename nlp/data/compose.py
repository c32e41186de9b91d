"""Regenerate `types.train.jsonl` / `types.heldout.jsonl` from the hand-written seed sentences in `seeds/`.

Run `python nlp/data/compose.py` after editing a seed file. Each seed is a message written the way customers write
(`{p}` = an appliance, `{b}` = a brand); composing adds what real chats wrap around the core request — greetings,
context, typos, dropped punctuation, details and a second topic — so the model does not learn sentence shapes.
Each seed goes whole to one split, so no held-out message shares a seed with a training message, and its split and
messages are drawn from its own text (`compose`): editing one seed file leaves every other seed's messages as they
were.

`seeds/shop/` holds what buyers ask an online shop in their own short words: sizes and fabric, couriers by name, when
the refund reaches Alipay, tags still on, a wrong size ordered, a bare new address. Its messages may open as a chat
reply does ("好的，", "嗯嗯"): real buyers put the request after an acknowledgement, which alone reads as `other`. It grew
twice from errors on real buyer messages (CIC): read on dev.json and the even rows of train.json, with each row the
model got wrong labelled again by hand (the files' labels are noisy by design), and checked on the odd rows of
train.json, never read. The second time it gained: goods that came crushed or leaking; dissatisfaction after trying
on, prices that rose, annoyance and insults; whether the shop got what was sent back and by which courier; cashback,
customising, weights and "I don't understand"; hurrying a parcel; "don't send the wrong one". A smell or colours far
from the pictures, said as a remark ("色差太大了", "一股胶味"), are the questions CIC files them under (inquiry), not a broken
item: the buyer asks whether it is normal, and there is nothing to repair. Praise ("裤子质量不错", "满意，老顾客了") is `other`:
质量 and 满意 alone had read as a broken item and as a complaint. Zero-shot macro-F1 over eight random
composes: dev 0.665 -> 0.688, the odd rows of train.json 0.589 -> 0.612, the hand-written held-out sets within two
messages of before. The third time, 2,000 more odd rows of train.json (the second 2,000) were labelled again by
hand and read as a pool: cashback asked as money "退" after receipt, a buyer sending the return and asking whether
it came, "从新拍" after a refund, "买一发二", insults and amends instead of a return, "快点"; zero-shot macro-F1
against hand-checked labels 0.812 -> 0.814 on the first 2,000 odd rows, never read, and 0.824 -> 0.829 on dev.json.

`seeds/short/` holds bare symptoms of a few characters, what a customer sends as a whole first message or answer
("制冷不行了", "没有任何反应", "一插就跳闸", "stopped cooling"): without them a short message opening with 不 or 没
read as chit-chat ("不用了", "没事"). Beside them, short chit-chat of the same shape ("不着急", "可以用了") stays
`other`, so a bare negation does not turn into a fault.

Tried and not kept: 220 more seeds of a running shop chat, written blind from the confusion counts on CIC dev
alone (zero-shot 0.6618 -> 0.6634 there, English messages 0.8649 -> 0.8468); eight variants of each seed instead of
four (no gain over four random composes).
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).parent
TYPES = ("repair", "installation", "maintenance", "return", "logistics", "complaint", "invoice", "order_change",
         "inquiry", "other")
VARIANTS_PER_SEED = 4
PLEASANTRY_SHARE = 0.2
COMPOSE_SEED = 20261123
PLEASANTRY_SEED = 20261201
HELDOUT_SHARE = 0.2

PRODUCTS = ["空调", "冰箱", "洗衣机", "热水器", "油烟机", "燃气灶", "洗碗机", "净水器", "电视", "扫地机器人",
            "微波炉", "电饭煲", "烤箱", "壁挂炉", "挂机", "柜机", "烘干机", "消毒柜", "空气净化器", "集成灶",
            "电热水器", "滚筒洗衣机", "双开门冰箱", "投影仪", "智能马桶"]
BRANDS = ["美的", "格力", "海尔", "小米", "海信", "TCL", "方太", "老板", "华帝", "西门子", "松下", "A.O.史密斯",
          "奥克斯", "志高", "容声", "万和", "万家乐", "苏泊尔", "九阳", "戴森"]
GREETINGS = ["亲", "你好", "您好", "在吗", "老板", "客服", "亲亲", "hi", "喂", "那个", "哎", "你好请问",
             "麻烦问一下", "在不在", "客服你好", "Hello", "打扰一下", "小姐姐"]
# How a reply in a running shop chat opens before it asks the next thing, and the particles it ends on.
ACKNOWLEDGEMENTS = ["好的", "嗯嗯", "哦哦", "行", "那", "嗯", "好吧", "对了", "还有", "哦", "可是", "那个亲", "不好意思",
                    "谢谢", "没事", "不用了", "那就"]
PARTICLES = ["哦", "呀", "呢", "吧", "哈", "啦", "嘛", "哦亲", "呀亲", "~"]
CLOSINGS = ["谢谢", "急", "急急急", "??", "!", "快点", "麻烦了", "尽快处理一下", "谢谢亲", "在线等", "好吗", "啊",
            "哈", "谢了", "thx", "拜托了", "回复一下", "。。。", "😭", "[捂脸]"]
CONTEXTS = ["我上个月在你们店买的{p}，", "前天刚收到货，", "之前找过一次客服了，", "我妈打电话说的，",
            "上周在你们旗舰店下的单，", "我是老客户了，", "订单号{order}，", "我这边是{city}的，",
            "家里的{b}{p}，", "双十一买的，", "公司采购的，", "我是帮我爸问的，", "昨天晚上开始的，",
            "去年买的{b}，", "刚搬的新家，", "跟你们说一下哈，"]
# Contact details as customers append them; the type model sees them as placeholders (`nlp.placeholders`), and
# every type carries them so that none of them can vote for a type.
DETAILS = ["，电话{phone}", "，我手机{phone}", "，地址是{city}{street}", "，明天下午在家", "，周六上午都可以",
           "，联系人王女士", "，订单{order}", "，型号{model}", "，下午三点以后有人", "，来之前打我电话",
           " {phone}", "，{surname}先生 {phone}", "。收货地址：{city}{street} {surname}女士", "，住{city}{street}",
           "\n电话：{phone}\n地址：{city}{street}", "，联系电话{phone}，{city}{street}", "，价格{price}元",
           "，收件人{surname}{given}，{phone}", "，{city}{street}，{phone}", "，我家在{city}{street}，{when}有人"]
SECOND_TOPICS = ["另外发票也帮我开一下", "顺便问下能不能开发票", "还有上次那个事也没人回我", "另外问下保修多久",
                 "对了地址我换了", "顺便看看另一台", "还有你们客服电话老打不通"]
CITIES = ["北京朝阳区", "上海浦东新区", "广州天河区", "深圳南山区", "杭州西湖区", "成都武侯区", "武汉洪山区",
          "南京江宁区", "西安雁塔区", "重庆渝北区", "长沙岳麓区", "郑州金水区"]
STREETS = ["幸福路12号", "阳光小区3栋2单元501", "建设大道88号", "万科城5期8栋", "人民路中段16号", "解放西路203号",
           "中山大道1号2栋1203", "滨江花园9栋", "长江路77号6楼"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "洋", "丽"]
WHEN = ["明天上午", "周日下午", "后天", "今晚八点后", "下周一"]
MODELS = ["KFR-35GW", "BCD-470WDPG", "XQG100-B14126", "CXW-260", "EC6001-GA3", "JSQ25-13", "65E3F", "MR-400G"]
# Slips a hurried phone keyboard makes, so the model does not depend on the exact character.
TYPOS = {"的": "得", "在": "再", "吗": "嘛", "哪": "那", "已": "以", "做": "作", "坏": "怀", "修": "休",
         "候": "后", "帐": "账", "换": "还", "装": "状", "货": "或", "么": "莫"}
_PUNCT = re.compile(r"[，,。！!？?]")


def _fill(text: str, rng: random.Random) -> str:
    return text.format(
        p=rng.choice(PRODUCTS), b=rng.choice(BRANDS), city=rng.choice(CITIES), street=rng.choice(STREETS),
        model=rng.choice(MODELS), phone="1" + str(rng.randint(3, 9)) + "".join(rng.choice("0123456789") for _ in range(9)),
        surname=rng.choice(SURNAMES), given=rng.choice(GIVEN), when=rng.choice(WHEN), price=rng.randint(49, 8999),
        order="".join(rng.choice("0123456789") for _ in range(18)),
    )


def _variant(seed: str, kind: str, rng: random.Random, openers: list[str], closings: list[str]) -> str:
    text = seed
    wants_ticket = kind != "other"
    if wants_ticket and rng.random() < 0.25:
        text = rng.choice(CONTEXTS) + text
    if rng.random() < 0.4:
        text = rng.choice(openers) + rng.choice(["，", " ", "", "!"]) + text
    if rng.random() < (0.3 if wants_ticket else 0.1):
        text += rng.choice(DETAILS)
    if kind in ("repair", "installation", "maintenance", "return", "complaint") and rng.random() < 0.1:
        text += "，" + rng.choice(SECOND_TOPICS)
    if rng.random() < 0.35:
        text += rng.choice(["", "，", " "]) + rng.choice(closings)
    if rng.random() < 0.15:
        i = rng.randrange(len(text))
        text = text[:i] + TYPOS.get(text[i], text[i]) + text[i + 1:]
    if rng.random() < 0.25:
        text = _PUNCT.sub(rng.choice([" ", ""]), text)
    return _fill(text, rng).strip()


def compose() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(train rows, held-out rows). Each seed's split comes from a hash of its text and its messages from a
    generator seeded by it, so adding, removing or editing a seed changes that seed's messages only: before, one
    generator ran through every file, and one more seed anywhere re-drew every message after it."""
    train: list[dict[str, str]] = []
    heldout: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    folders = [(HERE / "seeds", GREETINGS, CLOSINGS), (HERE / "seeds" / "en", GREETINGS, CLOSINGS),
               (HERE / "seeds" / "shop", GREETINGS + ACKNOWLEDGEMENTS, CLOSINGS + PARTICLES),
               (HERE / "seeds" / "short", GREETINGS, CLOSINGS)]
    for folder, openers, closings, kind in [(*style, kind) for style in folders for kind in TYPES]:
        path = folder / f"{kind}.txt"
        if not path.exists():  # a folder need not cover every type
            continue
        for seed in (s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()):
            if (kind, seed) in seen:  # "hi" is a Chinese chat's seed and an English one's
                continue
            seen.add((kind, seed))
            rng = random.Random(f"{COMPOSE_SEED}:{folder.name}:{kind}:{seed}")
            split = heldout if rng.random() < HELDOUT_SHARE else train
            texts = {_fill(seed, rng)} | {_variant(seed, kind, rng, openers, closings)
                                          for _ in range(VARIANTS_PER_SEED)}
            split.extend({"text": t, "type": kind} for t in sorted(texts))
    trained = {row["text"] for row in train}
    return _with_pleasantries(train), _with_pleasantries([row for row in heldout if row["text"] not in trained])


def _with_pleasantries(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """`rows` plus, for a share of the requests, the request said together with one of the split's own `other`
    messages ("好的，谢谢 退款什么时候到账", "发票开一下 辛苦了"): without them a pleasantry outvoted a request, since
    its characters were seen only in `other`. Added after every row composed above, each with a generator seeded
    by its row, so the messages composed before stay as they were."""
    pleasantries = [row["text"] for row in rows if row["type"] == "other"]
    extra = []
    for row in rows:
        rng = random.Random(f"{PLEASANTRY_SEED}:{row['type']}:{row['text']}")
        if row["type"] != "other" and rng.random() < PLEASANTRY_SHARE:
            pleasantry = rng.choice(pleasantries)
            sep = rng.choice(["，", " ", "", "。"])
            text = pleasantry + sep + row["text"] if rng.random() < 0.6 else row["text"] + sep + pleasantry
            extra.append({"text": text, "type": row["type"]})
    return rows + extra


def main() -> None:
    train, heldout = compose()
    for name, rows in (("types.train.jsonl", train), ("types.heldout.jsonl", heldout)):
        with open(HERE / name, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


if __name__ == "__main__":
    main()
