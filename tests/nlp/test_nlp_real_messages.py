"""Messages as real customers write them: contact details appended, two-word requests, chit-chat, feelings.

The held-out sets in `data/` are hand-written for these tests and share no text with the training data.
"""
import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nlp import understanding as u
from nlp.corpus import SHIPPED_HELDOUT, SHIPPED_TRAIN, public_datasets, read_examples
from nlp.entities import number_tried
from nlp.intents import bare_fault, only_a_person_asked
from nlp.replies import same_as_before
from nlp.evaluate import evaluate
from nlp.features import features
from nlp.normalize import normalize
from nlp.placeholders import masked
from nlp.robustness import flip_rate, with_contact_details

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_held_out_sets_share_no_text_with_the_training_data() -> None:
    trained = {e.text for path in (SHIPPED_TRAIN, SHIPPED_HELDOUT) for e in read_examples(path)}
    for name in ("messages_heldout", "other_heldout", "short_requests", "short_symptoms", "english_heldout"):
        assert not {normalize(r["text"]) for r in rows(name)} & trained, name


def test_contact_details_appended_do_not_change_the_type(understander) -> None:
    messages = rows("messages_heldout")
    texts = [r["text"] for r in messages]
    rate, flipped = flip_rate(lambda t: understander.understand(t, now=NOW).type, texts)
    assert rate <= 0.02, flipped
    gold = [r["type"] for r in messages]
    plain = evaluate(gold, [understander.understand(t, now=NOW).type for t in texts])
    detailed = evaluate(gold, [understander.understand(with_contact_details(t, i), now=NOW).type
                               for i, t in enumerate(texts)])
    assert detailed.macro_f1 >= plain.macro_f1 - 0.01


def test_a_repair_with_phone_model_and_address_is_a_repair_that_keeps_its_details(understander) -> None:
    result = understander.understand("家里的空调不制冷了，型号KFR-35GW，电话13912345678，地址北京市朝阳区建国路88号",
                                     now=NOW)
    assert (result.type, result.intent) == ("repair", u.NEW_PROBLEM)
    assert result.entities.phones == ("13912345678",) and result.entities.models == ("KFR-35GW",)
    assert result.entities.addresses[0].detail == "建国路88号"
    alone = understander.understand("洗碗机漏水", now=NOW)
    detailed = understander.understand("洗碗机漏水，电话13912345678，地址北京市朝阳区建国路88号", now=NOW)
    assert detailed.type == alone.type == "repair"
    assert detailed.type_confidence >= alone.type_confidence - 0.1


def test_greetings_thanks_acknowledgements_chit_chat_and_emoji_never_open_a_ticket(understander) -> None:
    results = [understander.understand(r["text"], now=NOW) for r in rows("other_heldout")]
    right = [r for r in results if r.type == "other"]
    assert len(right) / len(results) >= 0.9, [r.text for r in results if r.type != "other"]
    assert all(r.intent in (u.GREETING, u.THANKS) for r in right)


@pytest.mark.parametrize("text", ["今天天气真好啊，你们客服吃饭了吗", "收到", "好的", "👍", "谢谢🙏", "收到啦👍"])
def test_the_reported_chit_chat_is_other(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.intent in (u.GREETING, u.THANKS)) == ("other", True)
    assert not result.entities.phones


def test_short_requests_are_typed(understander) -> None:
    messages = rows("short_requests")
    wrong = [(r["text"], understander.understand(r["text"], now=NOW).type) for r in messages
             if understander.understand(r["text"], now=NOW).type != r["type"]]
    assert 1 - len(wrong) / len(messages) >= 0.9, wrong


def test_bare_symptoms_are_repairs_and_short_chit_chat_stays_other(understander) -> None:
    messages = rows("short_symptoms")
    wrong = [(r["text"], kind) for r in messages
             if (kind := understander.understand(r["text"], now=NOW).type) != r["type"]]
    assert 1 - len(wrong) / len(messages) >= 0.9, wrong


@pytest.mark.parametrize("text", ["不制冷", "不转", "没反应", "漏水了", "不加热", "显示E4", "not cooling", "no power"])
def test_a_bare_symptom_as_a_first_message_opens_a_repair(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.intent) == ("repair", u.NEW_PROBLEM)


@pytest.mark.parametrize("text", ["没事了哈", "知道了哦", "能用了", "不急的", "好了好了"])
def test_a_short_negation_or_acknowledgement_is_no_symptom(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.intent in (u.GREETING, u.THANKS)) == ("other", True)


@pytest.mark.parametrize(("chip", "kind", "intent"), [
    ("我要报修", "repair", u.NEW_PROBLEM), ("预约安装", "installation", u.NEW_PROBLEM),
    ("申请退换货", "return", u.NEW_PROBLEM), ("查询进度", "other", u.STATUS_QUERY),
])
def test_the_web_chat_suggestion_chips(understander, chip: str, kind: str, intent: str) -> None:
    result = understander.understand(chip, now=NOW)
    assert (result.type, result.intent) == (kind, intent)


def test_a_tax_id_is_not_a_model_number(understander) -> None:
    result = understander.understand("开个专票，纳税人识别号 91310115MA1K4ABC12，税号没错", now=NOW)
    assert result.type == "invoice"
    assert result.entities.models == () and result.entities.order_numbers == ()


def test_a_question_after_an_address_is_not_part_of_it(understander) -> None:
    (address,) = understander.understand("送到苏州工业园区星湖街328号吗", now=NOW).entities.addresses
    assert address.detail == "星湖街328号"


@pytest.mark.parametrize("text", ["预约明天上午安装空调，谢谢", "热水器到了，麻烦周六来装一下，谢谢啦",
                                  "好的，明天下午等师傅"])
def test_a_booking_is_not_positive(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).sentiment == "neutral"


def test_an_angry_customer_is_exposed_and_raises_priority(understander) -> None:
    calm = understander.understand("洗衣机有点异响", now=NOW)
    angry = understander.understand("洗衣机有点异响，修了三次还这样，什么垃圾售后", now=NOW)
    assert (calm.angry, angry.angry) == (False, True)
    assert angry.sentiment == "negative" and angry.sentiment_score < calm.sentiment_score
    assert angry.priority < calm.priority


@pytest.mark.parametrize("answer", ["没有", "不行", "还是不行", "没修好"])
def test_a_short_no_is_an_answer_not_anger(understander, answer: str) -> None:
    assert not understander.understand(answer, now=NOW).angry
    assert understander.understand("垃圾", now=NOW).angry


@pytest.mark.parametrize("text", ["滚筒洗衣机不转了", "这个遥控器怎么操作", "安装还没完成，师傅明天再来",
                                  "工商银行的卡可以分期吗", "衣服太小了", "退货运费谁来出", "快递显示签收了，但我没收到",
                                  "厨房的垃圾处理器卡住了", "我没给差评啊，能改成好评吗", "投诉建议渠道在哪里，想表扬师傅",
                                  "有点失望，不过没关系", "型号 BCD-508WKPZM SN:SNX00112233445", "税号91310000MA1FL12345"])
def test_a_calm_message_is_not_anger(understander, text: str) -> None:
    """滚筒, 操作 and 垃圾处理器 are parts of appliances; a return or a lost parcel is told calmly, though a model
    trained on product reviews scores "衣服太小了" like a one-star review; 投诉建议 is a box, not a complaint; model
    numbers in capitals are no shouting."""
    assert not understander.understand(text, now=NOW).angry


@pytest.mark.parametrize("text", ["我不是要投诉，只是反馈一下：送货员没穿鞋套，地板有点脏",
                                  "Not angry at all, just checking on my refund, it's been 5 working days",
                                  "网上有人说你们家热水器容易漏水，气得要去315曝光，我有点担心，我这款有这个问题吗？",
                                  "My neighbor was furious about her delivery, so I'm a little nervous. Is mine still on?",
                                  "我老公刚才在电话里对你们客服发火了，不好意思，冰箱门封条有点松，麻烦安排一下",
                                  "My husband is furious about the delay but honestly I understand. Any update?"])
def test_anger_disclaimed_or_told_of_others_is_not_the_customers(understander, text: str) -> None:
    """The words of a complaint said to be none ("我不是要投诉"), or someone else's anger told of: neither is this
    customer's."""
    assert not understander.understand(text, now=NOW).angry


@pytest.mark.parametrize("text", ["别跟我说“亲”！我不是你亲！", "客服你是复读机吗？", "保修期内还要收上门费，这保修保了个寂寞",
                                  "说了多少遍了，你们说东答西", "Never buying from this brand again. Telling everyone I know.",
                                  "rnm，退钱！", "请于今日内给出书面答复，逾期我方将自行采取后续措施",
                                  "Do you people even read these messages?", "整个就一皮球，踢过来踢过去"])
def test_contempt_and_mockery_are_anger(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).angry


@pytest.mark.parametrize("text", ["售后电话一直打不通，烦死了", "说好今天上门，人呢？", "等了一个礼拜了，耍我呢",
                                  "客服一直敷衍，没人管", "我对你们的售后很不满意", "第四次约了，师傅又没来",
                                  "再不来人我就打12345", "要你们有什么用", "WHY IS NOBODY ANSWERING",
                                  "Get me a supervisor now", "都半个月了还没修好"])
def test_exasperation_with_the_service_is_anger(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).angry


@pytest.mark.parametrize("text", ["你们能上门吗", "我家在农村，你们能上门吗", "你们过年放假吗", "你们能晚上来吗",
                                  "你们的师傅有证吗"])
def test_a_calm_question_to_the_company_is_an_inquiry_not_a_complaint(understander, text: str) -> None:
    """你们 leans the type model towards a complaint; asked calmly, it is a question for the knowledge base or staff."""
    understood = understander.understand(text, now=NOW)
    assert (understood.type, understood.intent) == ("inquiry", u.KB_QUESTION)


@pytest.mark.parametrize("text", ["你们就是这样对待客户的吗", "你们这样做合理吗？", "你们还管不管了？", "说好今天上门，人呢？放鸽子吗"])
def test_a_displeased_question_stays_a_complaint(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).type == "complaint"


@pytest.mark.parametrize(("text", "intent"), [("新买的空调要安装，什么时候能来装", u.NEW_PROBLEM),
                                              ("新房要安装三台空调，什么时候能排上", u.NEW_PROBLEM),
                                              ("空调需要上门安装吗", u.KB_QUESTION), ("安装要多久", u.KB_QUESTION)])
def test_a_service_wanted_with_a_question_is_a_request(understander, text: str, intent: str) -> None:
    """"要安装，什么时候能来" asks for the job; "需要安装吗" and "安装要多久" only ask about it."""
    understood = understander.understand(text, now=NOW)
    assert (understood.type, understood.intent) == ("installation", intent)


@pytest.mark.parametrize("text", ["师傅很负责", "师傅服务很到位，给你们点赞", "我要表扬你们的师傅", "师傅手艺不错",
                                  "The technician was great, very professional"])
def test_praise_is_thanks_not_a_complaint(understander, text: str) -> None:
    understood = understander.understand(text, now=NOW)
    assert (understood.intent, understood.type) == (u.THANKS, "other")


@pytest.mark.parametrize("text", ["师傅态度很好，但是收费太贵了", "客服态度不错，但是问题一直没解决", "不满意", "师傅专业吗"])
def test_praise_with_a_but_or_a_question_is_no_praise(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).intent != u.THANKS


@pytest.mark.parametrize("text", ["我买的净水器少发了一个滤芯", "漏发了遥控器", "收到的货少了一件", "空调遥控器没有发",
                                  "买了两个只收到一个"])
def test_an_order_delivered_short_is_a_delivery_matter_not_a_job(understander, text: str) -> None:
    """A missing filter or remote reads to the type model as upkeep or a repair, which would send a technician."""
    understood = understander.understand(text, now=NOW)
    assert (understood.intent, understood.type) == (u.NEW_PROBLEM, "logistics")


@pytest.mark.parametrize("text", ["空调没有发热", "热水器漏水了", "滤芯该换了"])
def test_a_fault_or_upkeep_is_no_short_delivery(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).type != "logistics"


@pytest.mark.parametrize(("text", "kind"), [("我要换货，收到的电视屏幕有裂痕", "return"),
                                           ("投诉，师傅把墙弄脏了", "complaint"), ("报修，空调不制冷", "repair"),
                                           ("我上周买的冰箱，今天送到发现门上有个凹痕，要求换新", "return"),
                                           ("师傅把墙弄脏了，我要投诉", "complaint")])
def test_the_kind_of_help_asked_for_types_the_message(understander, text: str, kind: str) -> None:
    """A cracked screen or a dent read alone is a repair; asked to be exchanged, before or after it is told of, it
    is a return."""
    assert understander.understand(text, now=NOW).type == kind


def test_sentiment_on_real_reviews_held_out_from_training(understander) -> None:
    datasets = public_datasets()
    reviews = datasets / "sentiment" / "online_shopping_10_cats.csv" if datasets else None
    if reviews is None or not reviews.exists():
        pytest.skip("public review corpus not present (shared/datasets/sentiment)")
    with open(reviews, encoding="utf-8-sig", newline="") as fh:
        # Index ≡ 5 (mod 10) is never trained on (nlp.sentiment_train); every 40th row keeps the test quick.
        sample = [r for i, r in enumerate(csv.DictReader(fh)) if i % 40 == 5 and r["review"]]
    wanted = {"1": "positive", "0": "negative"}
    right = sum(understander.understand(r["review"], now=NOW).sentiment == wanted[r["label"]] for r in sample)
    assert right / len(sample) >= 0.85


def test_english_messages_are_typed(understander) -> None:
    messages = rows("english_heldout")
    wrong = [(r["text"], r["type"], understander.understand(r["text"], now=NOW).type) for r in messages
             if understander.understand(r["text"], now=NOW).type != r["type"]]
    assert 1 - len(wrong) / len(messages) >= 0.8, wrong


@pytest.mark.parametrize(("text", "hazard"), [
    ("燃气灶有股煤气味", ("gas",)), ("热水器显示E4是什么意思", ()), ("空调一直闪F1，是什么问题", ()),
    ("my dishwasher is leaking water", ()), ("the water heater shows error E4", ()),
])
def test_a_fault_told_as_a_question_or_a_remark_is_a_repair(understander, text: str, hazard: tuple[str, ...]) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.hazards) == ("repair", hazard)
    assert result.priority == "P1" if hazard else result.priority != "P1"


@pytest.mark.parametrize("text", ["没有", "嗯", "好的", "没", "嗯嗯", "ok", "不是", "对的"])
def test_a_bare_yes_or_no_with_no_question_asked_is_other(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.intent in (u.GREETING, u.THANKS)) == ("other", True)


def test_a_bare_no_still_answers_the_question_asked(understander) -> None:
    assert understander.understand("没有", now=NOW, expecting="confirm").intent == u.NOT_FIXED
    assert understander.understand("没有", now=NOW, expecting="helpful").intent == u.NOT_HELPFUL


def test_two_devices_with_problems_are_two_problems(understander) -> None:
    result = understander.understand("空调不制冷，另外洗衣机也漏水，电话13912345678", now=NOW)
    assert [(p.text, p.type, p.entities.products) for p in result.problems] == [
        ("空调不制冷", "repair", ("空调",)), ("洗衣机也漏水", "repair", ("洗衣机",))]
    assert all(p.entities.phones == ("13912345678",) for p in result.problems)
    english = understander.understand("my dishwasher is leaking and also the fridge light doesn't work, phone "
                                      "13900001111, 5 Beijing Rd, Huangpu, Shanghai", now=NOW)
    assert [p.text for p in english.problems] == ["My dishwasher is leaking", "the fridge light doesn't work"], (
        "the address, cut at its commas, went with the last problem as its description")
    mixed = understander.understand("新买的空调要安装，还有冰箱不制冷了", now=NOW)
    assert [p.type for p in mixed.problems] == ["installation", "repair"]


@pytest.mark.parametrize(("text", "parts"), [
    ("冰箱和洗衣机都坏了", [("冰箱坏了", ("冰箱",)), ("洗衣机坏了", ("洗衣机",))]),
    ("家里的空调、冰箱全不制冷了", [("家里的空调不制冷了", ("空调",)), ("家里的冰箱不制冷了", ("冰箱",))]),
    ("热水器和洗衣机都坏了，热水器不加热，洗衣机不排水",
     [("热水器坏了，热水器不加热", ("热水器",)), ("洗衣机坏了，洗衣机不排水", ("洗衣机",))]),
    ("空调不制冷，洗衣机漏水，空调还滴水", [("空调不制冷，空调还滴水", ("空调",)), ("洗衣机漏水", ("洗衣机",))]),
])
def test_one_symptom_of_devices_named_together_is_a_problem_each(understander, text: str, parts: list) -> None:
    result = understander.understand(text, now=NOW)
    assert [(p.text, p.entities.products) for p in result.problems] == parts
    assert all(p.type == "repair" for p in result.problems)


@pytest.mark.parametrize("text", ["空调和冰箱的发票开一下", "我买的空调和冰箱，空调不制冷", "空调不制冷，另外空调外机也响",
                                  "空调不制冷，顺便问下洗衣机保修多久", "洗衣机漏水"])
def test_one_problem_or_one_problem_and_a_question_is_one(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).problems == ()


@pytest.mark.parametrize(("text", "read"), [
    ("洗衣机漏水，明天下午在家", "洗衣机漏水，\ue005"), ("三点以后有人", "\ue005"), ("明天可以吗", "\ue005可以吗"),
])
def test_when_a_customer_is_in_is_part_of_the_time(text: str, read: str) -> None:
    assert masked(text) == read


def test_details_after_a_request_are_not_read_but_details_alone_are() -> None:
    assert features(masked("洗碗机漏水，电话13912345678，地址北京市朝阳区建国路88号")) == features("洗碗机漏水")
    assert set(features(masked("北京市朝阳区建国路88号，13912345678"))) >= {"\ue001", "\ue002"}


@pytest.mark.parametrize(("text", "kind"), [("是在京东买的，有发票", "other"), ("发票在我这", "other"),
                                           ("我要开发票", "invoice"), ("发票开错了", "invoice"), ("有发票吗", "invoice"),
                                           ("发票还没收到", "invoice")])
def test_an_invoice_kept_is_no_invoice_request(understander, text: str, kind: str) -> None:
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "kind"), [("收到的货和图片不一样", "return"), ("实物和图片差太多了", "return"),
                                           ("跟描述的不符，颜色也不对", "return"), ("和图片一样吗", "inquiry"),
                                           ("洗衣机不脱水，和说明书上说的不一样", "repair")])
def test_goods_unlike_their_listing_are_a_return_not_a_repair(understander, text: str, kind: str) -> None:
    """"收到的货和图片不一样" was a repair: a technician would have been sent to look at goods that were never right."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "kind"), [
    ("我想退掉上周买的空气净化器，一直有异响，订单2026112512345678", "return"),
    ("I want to return the air purifier I bought last week, it makes a rattling noise", "return"),
    ("要换货，收到的吹风机开不了机", "return"), ("不想退货，能修吗，洗衣机不脱水", "repair"),
    ("修不好就要退货，空调不制冷", "repair")])
def test_goods_asked_to_be_taken_back_are_a_return_whatever_their_fault(understander, text: str, kind: str) -> None:
    """"我想退掉…一直有异响" was a repair: the fault given as the reason outvoted the return the customer asked for."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "intent"), [("是燃气的", u.GREETING), ("电的", u.GREETING), ("滚筒的", u.GREETING),
                                             ("是坏的", u.NEW_PROBLEM), ("漏水的", u.NEW_PROBLEM)])
def test_what_kind_of_thing_it_is_is_a_detail(understander, text: str, intent: str) -> None:
    """"是燃气的", telling what kind of water heater, was answered with the gas-leak safety article."""
    assert understander.understand(text, now=NOW, expecting="phone").intent == intent


@pytest.mark.parametrize(("text", "intent"), [("格力的，去年买的", u.GREETING), ("在京东买的", u.GREETING),
                                             ("买了三年了", u.GREETING), ("是在京东买的吗", u.KB_QUESTION),
                                             ("去年买的空调不制冷了", u.NEW_PROBLEM)])
def test_when_or_where_it_was_bought_is_no_question(understander, text: str, intent: str) -> None:
    """"格力的，去年买的" while a phone was awaited was filed as a question "客服会在这里答复您"."""
    assert understander.understand(text, now=NOW, expecting="phone").intent == intent


@pytest.mark.parametrize(("text", "tried"), [("1381234567", "1381234567"), ("12345", "12345"),
                                            ("我的手机号是 1381234567", "1381234567"),
                                            ("my number is 07700 900123", "07700 900123"),
                                            ("洗衣机E3，显示1203", None), ("3号楼1203", None),
                                            ("1234", None), ("13812345678901234", None)])
def test_a_number_given_for_a_phone_is_the_detail_awaited(understander, text: str, tried: str | None) -> None:
    """"07700 900123" (a UK mobile without its country code) while a phone was awaited was put on the ticket as a
    question for staff; the number is a try at the detail, which the hub sends back to be checked."""
    assert number_tried(text) == tried
    if tried is not None:
        assert understander.understand(text, now=NOW, expecting="phone").intent == u.ADD_DETAIL


@pytest.mark.parametrize(("text", "angered"), [("12345", False), ("我要打12345投诉你们", True),
                                              ("再不处理我就拨12345", True), ("已经反映到12345热线了", True)])
def test_the_citizens_hotline_is_a_threat_only_when_named_as_one(understander, text: str, angered: bool) -> None:
    """"12345" sent for a phone handed the customer to a person as if they threatened the 12345 hotline."""
    assert understander.understand(text, now=NOW, expecting="phone").angry is angered


@pytest.mark.parametrize(("text", "intent"), [("对了要自带支架吗？还是要另外买", u.KB_QUESTION),
                                             ("是上门修吗，还是寄回去修", u.KB_QUESTION),
                                             ("空调不制冷了，是加氟还是换压缩机", u.NEW_PROBLEM)])
def test_a_question_offering_a_choice_is_a_question(understander, text: str, intent: str) -> None:
    """"要自带支架吗？还是要另外买" after an installation was booked was thanked for as a detail of the booking."""
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize("text", ["换货的话运费谁出", "退货运费谁承担", "上门费由谁出", "运费谁来付"])
def test_asking_who_pays_is_a_question_while_a_detail_is_awaited(understander, text: str) -> None:
    """"换货的话运费谁出" while the phone was awaited was thanked for as a detail of the return, and never answered."""
    assert understander.understand(text, now=NOW, expecting="phone").intent == u.KB_QUESTION


@pytest.mark.parametrize(("text", "intent"), [("还没收到退款", u.NOT_FIXED), ("没收到", u.NOT_FIXED),
                                             ("I still haven't received the refund", u.NOT_FIXED),
                                             ("收到了但是少了一个配件", u.NOT_FIXED),
                                             ("退款收到了", u.SOLVED), ("钱已经退回来了", u.SOLVED),
                                             ("发票收到了，谢谢", u.SOLVED), ("got my refund, thanks", u.SOLVED),
                                             ("退款挺快的，就是客服回复有点慢", u.SOLVED)])
def test_a_refund_or_parcel_told_received_answers_is_it_done(understander, text: str, intent: str) -> None:
    """"is it done?" after a return: "退款挺快的，就是客服回复有点慢" opened a new return asking for an order number,
    and "还没收到退款" another return, where the one just resolved was the one meant."""
    assert understander.understand(text, now=NOW, expecting="confirm").intent == intent


@pytest.mark.parametrize(("text", "bookable"), [("好的，明天几点来取", False), ("周六上午几点到", False),
                                               ("明天什么时候来", False), ("明天几点都行", True),
                                               ("你们什么时候能来？我明天下午在家", True)])
def test_a_day_asked_what_time_of_is_no_time_offered(understander, text: str, bookable: bool) -> None:
    """"好的，明天几点来取" after staff said the courier comes tomorrow put 明天 09:00–18:00 on the ticket as the
    customer's time, and thanked them for it."""
    found = understander.understand(text, now=NOW, expecting="phone")
    assert [t.bookable for t in found.entities.times] == [bookable]
    assert found.intent != u.THANKS


@pytest.mark.parametrize(("text", "intent"), [("算了不用改了，我自己去取", u.CANCEL), ("不用退了，我想了想还是留着吧", u.CANCEL),
                                             ("不用换了，修一下就行", u.NEW_PROBLEM)])
def test_a_change_no_longer_wanted_cancels(understander, text: str, intent: str) -> None:
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize(("text", "withholds"), [("I'd rather you message me here", True),
                                                ("my phone is dead, use email please", True),
                                                ("just message me here", True), ("message me when you arrive", False)])
def test_asking_to_be_reached_in_the_chat_gives_no_phone(understander, text: str, withholds: bool) -> None:
    """"I'd rather you message me here", asked for a phone, was filed as a new problem."""
    assert (understander.understand(text, now=NOW, expecting="phone").intent == u.NO_DETAIL) is withholds


@pytest.mark.parametrize(("text", "same"), [("和上次一样", True), ("地址没变", True), ("还是原来的地址", True),
                                           ("it's the same address as before", True), ("same as last time", True),
                                           ("上次的师傅挺好", False), ("和上次一样的问题", False)])
def test_the_address_as_last_time_is_told_apart(understander, text: str, same: bool) -> None:
    assert same_as_before(text) is same
    if same:
        assert understander.understand(text, now=NOW, expecting="address").intent == u.ADD_DETAIL


@pytest.mark.parametrize(("text", "intent"), [("nope, same problem", u.NOT_FIXED), ("not really", u.NOT_FIXED),
                                             ("yes but it's still a bit noisy", u.NOT_FIXED),
                                             ("好像还是有点响", u.NOT_FIXED), ("all sorted, thanks", u.SOLVED),
                                             ("都好了", u.SOLVED), ("感觉好多了", u.SOLVED),
                                             ("好了一点", u.NOT_FIXED), ("好一些了，还是有点响", u.NOT_FIXED),
                                             ("kind of", u.NOT_FIXED), ("partly fixed", u.NOT_FIXED)])
def test_is_it_solved_answered_in_everyday_words(understander, text: str, intent: str) -> None:
    """Asked "is it solved?", "not really", "kind of" and "好像还是有点响" opened new repairs, "nope, same problem" and
    "都好了" got the opening hello: the job was neither reopened nor closed. Better but not fixed ("好了一点") is a no."""
    assert understander.understand(text, now=NOW, expecting="confirm").intent == intent


@pytest.mark.parametrize(("text", "intent"), [("not really", u.NOT_HELPFUL), ("that didn't help", u.NOT_HELPFUL),
                                             ("看不懂", u.NOT_HELPFUL), ("yes thanks that helped", u.HELPFUL),
                                             ("it helped a lot", u.HELPFUL)])
def test_did_this_help_answered_in_everyday_words(understander, text: str, intent: str) -> None:
    """Asked "did this help?" after an article, "not really" opened a repair and "that didn't help" a complaint."""
    assert understander.understand(text, now=NOW, expecting="helpful").intent == intent


@pytest.mark.parametrize(("text", "intent"), [("yep works fine now, cheers", u.SOLVED), ("it's working", u.SOLVED),
                                             ("it's fine now", u.SOLVED), ("seems ok now", u.SOLVED),
                                             ("perfect, thanks", u.SOLVED), ("是的修好了谢谢", u.SOLVED),
                                             ("yes but it's still leaking", u.NOT_FIXED),
                                             ("是的，还是不行", u.NOT_FIXED)])
def test_is_it_solved_answered_with_a_yes_before_the_words(understander, text: str, intent: str) -> None:
    """"yep works fine now, cheers" was not understood and "it's working" or "是的修好了谢谢" opened a new repair: the
    job waited for an answer the customer had given."""
    assert understander.understand(text, now=NOW, expecting="confirm").intent == intent


@pytest.mark.parametrize(("text", "bare"), [("坏了", True), ("出问题了", True), ("东西坏了！", True), ("it's broken", True),
                                           ("doesn't work", True), ("stopped working", True), ("空调坏了", False),
                                           ("my fridge is broken", False), ("坏了一个零件，能寄一个吗", False)])
def test_a_fault_of_nothing_named_is_told_apart(understander, text: str, bare: bool) -> None:
    """"坏了" alone is asked which product and what, before a ticket that tells a technician nothing is opened."""
    assert bare_fault(text) is bare
    if bare:
        assert understander.understand(text, now=NOW).type == "repair"


@pytest.mark.parametrize(("text", "intent"), [("不好意思电话写错了，是13512349867", u.ADD_DETAIL),
                                             ("号码打错了，应该是13512349867", u.ADD_DETAIL),
                                             ("sorry wrong number, it's 13512349867", u.ADD_DETAIL),
                                             ("地址写错了，是成都市武侯区人民南路四段21号", u.ADD_DETAIL),
                                             ("订单收货地址改成上海市静安区南京西路100号", u.NEW_PROBLEM),
                                             ("洗衣机不脱水，电话写错了，是13512349867", u.NEW_PROBLEM)])
def test_a_detail_corrected_is_a_detail_not_an_order_change(understander, text: str, intent: str) -> None:
    """"不好意思电话写错了，是…" read as a new order change; an order's delivery address changed still is one."""
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize(("text", "intent"), [("please cancel, I bought a new one", u.CANCEL),
                                             ("I want to cancel the repair", u.CANCEL),
                                             ("no need to come anymore, I fixed it myself", u.CANCEL),
                                             ("取消吧，买了新的", u.CANCEL), ("想换个新的", u.NEW_PROBLEM),
                                             ("取消的订单怎么退款", u.KB_QUESTION)])
def test_a_cancel_with_its_reason_cancels(understander, text: str, intent: str) -> None:
    """"please cancel, I bought a new one" was added to the ticket as a detail and the technician still came."""
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize(("text", "kind"), [("安装费被扣了两次", "complaint"),
                                           ("I was charged twice for the installation", "complaint"),
                                           ("师傅多收了我200块钱", "complaint"), ("洗衣机转两次就停", "repair"),
                                           ("I was charged twice for the same order 202611270099", "complaint"),
                                           ("快递员态度很差", "complaint"), ("the delivery guy was super rude", "complaint"),
                                           ("送货的还骂人", "complaint"), ("快递很差，到现在还没到", "logistics")])
def test_money_charged_twice_or_too_much_is_a_complaint(understander, text: str, kind: str) -> None:
    """"安装费被扣了两次" was booked as an installation: a technician would have been sent to install it again."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "intent"), [("how do I do a factory reset on my wifi router", u.KB_QUESTION),
                                             ("where do I find the serial number", u.KB_QUESTION),
                                             ("is it normal for the fridge to click", u.KB_QUESTION),
                                             ("how do I get my washer fixed, it's leaking", u.NEW_PROBLEM)])
def test_an_english_question_without_its_question_mark_is_a_question(understander, text: str, intent: str) -> None:
    """Without "?", "how do I do a factory reset on my wifi router" opened a return ticket: the knowledge base was
    never asked."""
    assert understander.understand(text, now=NOW).intent == intent


def test_a_device_that_does_not_work_is_a_problem_not_a_repair_gone_wrong(understander) -> None:
    """"…and also the fridge light doesn't work" read as "the repair did not work": the message was never split
    into its two problems, and with a job waiting for the customer's word it would have reopened that job."""
    told = understander.understand("my dishwasher is leaking water all over the kitchen floor and also the fridge "
                                   "light doesn't work", now=NOW)
    assert told.intent == u.NEW_PROBLEM and [p.text for p in told.problems] == [
        "my dishwasher is leaking water all over the kitchen floor", "the fridge light doesn't work"]
    for still in ("it doesn't work", "still doesn't work", "the repair didn't work", "my TV doesn't work again"):
        assert understander.understand(still, now=NOW).intent == u.NOT_FIXED


@pytest.mark.parametrize("text", ["when will the installer come for my water heater", "has my refund been processed",
                                  "what's happening with my repair", "how is my refund coming along"])
def test_english_status_questions_ask_the_status(understander, text: str) -> None:
    """"has my refund been processed" opened a second return, "what's happening with my repair" a second repair."""
    assert understander.understand(text, now=NOW).intent == u.STATUS_QUERY


@pytest.mark.parametrize(("text", "bookable"), [("师傅约了明天上午来，结果说来不了", [False]),
                                               ("说好的周六上午来，结果没人", [False]),
                                               ("约了明天上午的安装，能改到周日吗", [False, True]),
                                               ("我想约明天上午", [True])])
def test_a_time_agreed_before_is_no_time_offered(understander, text: str, bookable: list[bool]) -> None:
    """"师傅约了今天上午来，等了一上午人都没来，我要投诉" showed the complaint's ticket with the missed visit as its
    time, as if the customer had booked one."""
    assert [t.bookable for t in understander.understand(text, now=NOW).entities.times] == bookable


@pytest.mark.parametrize(("text", "only"), [("我要找人工客服", True), ("转人工", True), ("talk to a human", True),
                                           ("洗衣机坏了，转人工", False), ("人工客服太难找了，投诉你们", False)])
def test_a_person_asked_for_alone_is_told_apart(text: str, only: bool) -> None:
    assert only_a_person_asked(text) is only


@pytest.mark.parametrize(("text", "intent"), [("能不能开专票", u.KB_QUESTION), ("能不能便宜点", u.KB_QUESTION),
                                             ("洗衣机不能用了，能不能来修", u.NEW_PROBLEM)])
def test_can_you_is_asked_not_told(understander, text: str, intent: str) -> None:
    """"能不能开专票" read as a problem of the customer's own (its "不能"), and the article on special invoices was
    never offered."""
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize(("text", "kind"), [("the box hasn't arrived yet", "logistics"),
                                           ("my parcel seems stuck, no updates for 4 days", "logistics"),
                                           ("worst customer service ever", "complaint"),
                                           ("I've been waiting two weeks, this is ridiculous", "complaint"),
                                           ("the repair guy was 3 hours late and didn't apologize", "complaint"),
                                           ("the order came but the fridge doesn't cool", "repair")])
def test_english_deliveries_that_have_not_come_and_complaints_about_the_service(understander, text: str,
                                                                                 kind: str) -> None:
    """"the box hasn't arrived yet" and "I've been waiting two weeks, this is ridiculous" opened repairs."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "kind"), [("路由器老掉线", "repair"), ("the router keeps disconnecting", "repair"),
                                           ("冰箱声音很大", "repair"), ("你们卖路由器吗", "inquiry")])
def test_a_symptom_of_a_device_named_is_a_fault(understander, text: str, kind: str) -> None:
    """"路由器老掉线" was read as a greeting and answered "您好！我是售后服务助手…"."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "kind"), [("是燃气的", "other"), ("78的啥材质的", "inquiry"),
                                            ("我喜欢宽松一点的", "inquiry"), ("好评返奖励码", "inquiry"),
                                            ("五元优惠券怎么不能用", "inquiry"), ("两块券是不是不能用了", "inquiry"),
                                            ("给你们好评", "other"), ("空调不能用了，加你微信", "repair")])
def test_a_shop_question_is_no_detail_praise_or_fault(understander, text: str, kind: str) -> None:
    """Buyers' questions about the goods ended in 的 and read as a kind told ("78的啥材质的"), a review's reward as
    praise, and a coupon that "不能用" as a broken device."""
    assert understander.understand(text, now=NOW).type == kind
