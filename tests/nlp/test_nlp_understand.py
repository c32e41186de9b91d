import json
from pathlib import Path

import pytest

from nlp import REMARK
from nlp import understanding as u
from nlp.replies import numbered_choice
from nlp.intents import continuing
from nlp.problems import question_beside
from datetime import datetime, timezone

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in China

SENTIMENT_GOLD = Path(__file__).parent / "data" / "sentiment_gold.jsonl"

CONTRACT_KEYS = {"text", "type", "type_confidence", "intent", "priority", "sentiment", "sentiment_score", "angry",
                 "entities", "problems"}
ENTITY_KEYS = {"phones", "order_numbers", "serial_numbers", "addresses", "times"}


def test_to_dict_is_the_classify_contract(understander) -> None:
    result = understander.understand("空调漏水了，电话13812345678，明天下午三点在家", now=NOW).to_dict()
    assert set(result) == CONTRACT_KEYS
    assert ENTITY_KEYS <= set(result["entities"])
    assert result["type"] in u.TICKET_TYPES
    assert result["problems"] == []
    json.dumps(result, ensure_ascii=False)


def test_to_dict_lists_each_device_problem(understander) -> None:
    result = understander.understand("冰箱和洗衣机都坏了", now=NOW).to_dict()
    assert [(p["text"], p["type"]) for p in result["problems"]] == [("冰箱坏了", "repair"), ("洗衣机坏了", "repair")]
    assert all(set(p) == CONTRACT_KEYS - {"problems"} for p in result["problems"])


@pytest.mark.parametrize(("text", "intent"), [
    ("我家的美的空调不制冷了，麻烦派个师傅来看看", u.NEW_PROBLEM),
    ("我的工单到哪了", u.STATUS_QUERY),
    ("维修师傅什么时候来啊", u.STATUS_QUERY),
    ("多久能到？", u.STATUS_QUERY),
    ("修好了没？多久能到？", u.STATUS_QUERY),
    ("大概多久能上门", u.STATUS_QUERY),
    ("我之前还报过一个冰箱的，那个怎么样了", u.STATUS_QUERY),
    ("我的快递什么时候到", u.NEW_PROBLEM),
    ("不用来修了，自己好了", u.CANCEL),
    ("算了不修了，我买新的了", u.CANCEL),
    ("不好意思，还是周六吧，下午", u.ADD_DETAIL),
    ("那就周六下午", u.ADD_DETAIL),
    ("周末愉快", u.GREETING),
    ("tomorrow morning works", u.ADD_DETAIL),
    ("明天下午三点以后都在家", u.ADD_DETAIL),
    ("周六随时都可以", u.ADD_DETAIL),
    ("tomorrow morning is fine", u.ADD_DETAIL),
    ("I'm home tomorrow afternoon", u.ADD_DETAIL),
    ("next Tuesday afternoon if possible", u.ADD_DETAIL),
    ("preferably Saturday morning", u.ADD_DETAIL),
    ("have a good weekend", u.GREETING),
    ("see you tomorrow", u.GREETING),
    ("修不好就不修了", u.NEW_PROBLEM),
    ("帮我转人工客服", u.HUMAN),
    ("你好", u.GREETING),
    ("好的谢谢", u.THANKS),
    ("空调保修几年", u.KB_QUESTION),
    ("电话13812345678，地址北京市朝阳区望京街道阜通东大街6号", u.ADD_DETAIL),
    ("怎么还没人联系我？？都等了一上午了", u.STATUS_QUERY),
    ("能不能快点", u.STATUS_QUERY),
    ("能不能快点，东西都要坏了", u.STATUS_QUERY),
    ("师傅明天啥时候到", u.STATUS_QUERY),
    ("still waiting, nobody called me", u.STATUS_QUERY),
    ("when will someone come?", u.STATUS_QUERY),
    ("when is the technician coming", u.STATUS_QUERY),
    ("the technician never showed up", u.STATUS_QUERY),
    ("能不能加急", u.STATUS_QUERY),
    ("配件到了吗", u.STATUS_QUERY),
    ("did the parts arrive?", u.STATUS_QUERY),
    ("what's my ticket number again?", u.STATUS_QUERY),
    ("工单号多少来着", u.STATUS_QUERY),
    ("我昨天报修的，今天师傅打电话说配件没货，要等多久", u.STATUS_QUERY),
    ("麻烦加急处理一下", u.STATUS_QUERY),
    ("收到了，谢谢，还挺快的", u.THANKS),
    ("电视挂架要另外买吗", u.KB_QUESTION),
    ("我要投诉！！！已经等了一个星期了", u.NEW_PROBLEM),
    ("冰箱坏了三天了，怎么还没人来修", u.NEW_PROBLEM),
    ("明天没空，改到周六上午吧", u.APPOINT),
    ("北京市朝阳区阜通东大街6号的洗衣机坏了，明天不在家，后天上午10点可以", u.NEW_PROBLEM),
    ("空调", u.NEW_PROBLEM),
    ("快递单号多少", u.KB_QUESTION),
    ("SR-20261201-0015 到哪一步了", u.STATUS_QUERY),
    ("SR-20261201-0015 的发票开好了没", u.STATUS_QUERY),
    ("工单SR-20261201-0015 我要取消", u.CANCEL),
    ("我的问题处理了没有", u.STATUS_QUERY),
    ("师傅说今天来，到现在都没来！！", u.STATUS_QUERY),
    ("说好的今天上门，人呢", u.STATUS_QUERY),
    ("到现在也没人联系我", u.STATUS_QUERY),
])
def test_free_text_intents(understander, text: str, intent: str) -> None:
    assert understander.understand(text, now=NOW).intent == intent


def test_survey_answers_only_when_expected(understander) -> None:
    csat = understander.understand("5", now=NOW, expecting="survey_csat")
    assert (csat.intent, csat.score, csat.scale) == (u.SURVEY_ANSWER, 5, "csat")
    words = understander.understand("非常满意", now=NOW, expecting="survey_csat")
    assert (words.intent, words.score) == (u.SURVEY_ANSWER, 5)
    nps = understander.understand("9", now=NOW, expecting="survey_nps")
    assert (nps.intent, nps.score, nps.scale) == (u.SURVEY_ANSWER, 9, "nps")
    assert understander.understand("8", now=NOW, expecting="survey_csat").intent != u.SURVEY_ANSWER
    assert understander.understand("5", now=NOW).intent != u.SURVEY_ANSWER
    bad = understander.understand("很差", now=NOW, expecting="survey_csat")
    assert (bad.score, bad.sentiment) == (1, "negative")


@pytest.mark.parametrize(("text", "expecting", "score", "remark"), [
    ("师傅很专业，给5分", "survey_csat", 5, "师傅很专业"),
    ("满意，就是来得有点晚", "survey_csat", 4, "就是来得有点晚"),
    ("4分吧，来得有点晚", "survey_csat", 4, "来得有点晚"),
    ("很好，5分，下次还找你们", "survey_csat", 5, "很好，下次还找你们"),
    ("打5分吧", "survey_csat", 5, ""),
    ("五星好评", "survey_csat", 5, ""),
    ("给个五星吧，师傅挺准时的", "survey_csat", 5, "师傅挺准时的"),
    ("给你们4分", "survey_csat", 4, ""),
    ("不是很满意", "survey_csat", 2, ""),
    ("5 stars, very fast", "survey_csat", 5, "very fast"),
    ("very fast, 5 stars, thanks", "survey_csat", 5, "very fast, thanks"),
    ("我给10分", "survey_nps", 10, ""),
    ("9分，会推荐给朋友", "survey_nps", 9, "会推荐给朋友"),
    ("肯定会推荐", "survey_nps", 10, ""),
    ("会推荐的，师傅不错", "survey_nps", 8, "师傅不错"),
    ("不会推荐", "survey_nps", 1, ""),
    ("I would recommend you", "survey_nps", 8, ""),
])
def test_a_score_in_a_sentence_is_the_answer_and_the_rest_a_remark(understander, text: str, expecting: str,
                                                                     score: int, remark: str) -> None:
    said = understander.understand(text, now=NOW, expecting=expecting)
    assert (said.intent, said.score, said.note) == (u.SURVEY_ANSWER, score, remark)


@pytest.mark.parametrize("text", ["等了3分钟才接通", "3分，不对，5分", "等了3个星期"])
def test_no_score_or_two_of_them_is_no_score(understander, text: str) -> None:
    said = understander.understand(text, now=NOW, expecting="survey_csat")
    assert said.score is None and (said.intent != u.SURVEY_ANSWER or said.scale == REMARK)


@pytest.mark.parametrize("text", ["师傅很专业", "师傅挺好的，就是来得有点晚"])
def test_a_remark_on_the_service_without_a_score_is_kept_as_a_remark(understander, text: str) -> None:
    said = understander.understand(text, now=NOW, expecting="survey_csat")
    assert (said.intent, said.score, said.scale, said.note) == (u.SURVEY_ANSWER, None, REMARK, text)


def test_a_sure_complaint_while_a_score_is_asked_is_filed(understander) -> None:
    said = understander.understand("师傅把我家地板划坏了", now=NOW, expecting="survey_csat")
    assert (said.intent, said.type) == (u.NEW_PROBLEM, "complaint")


def test_expected_detail_is_add_detail(understander) -> None:
    result = understander.understand("13912345678", now=NOW, expecting="phone")
    assert result.intent == u.ADD_DETAIL
    assert result.entities.phones == ("13912345678",)
    when = understander.understand("周六上午吧", now=NOW, expecting="time")
    assert when.intent == u.ADD_DETAIL
    assert when.entities.times[0].start.isoformat() == "2026-11-28T09:00:00+08:00"


def test_command_arguments_are_carried(understander) -> None:
    result = understander.understand("拒单 SR-20261123-0007 路太远", now=NOW)
    assert (result.intent, result.ticket_id, result.note) == (u.DECLINE, "SR-20261123-0007", "路太远")


@pytest.mark.parametrize(("text", "priority"), [
    ("燃气灶旁边一股燃气味，不敢开火", "P1"),
    ("热水器漏电，洗澡手麻了一下", "P1"),
    ("家里漏水了，老人一个人在家", "P1"),
    ("冰箱漏水，地上都是水", "P2"),
    ("热水器不出热水了", "P2"),
    ("洗衣机有点异响", "P3"),
    ("这个多少钱", "P4"),
    ("The AC stopped cooling, phone 13912345678", "P2"),
    ("the water heater has no hot water", "P2"),
    ("my fridge is a bit noisy", "P3"),
])
def test_priority(understander, text: str, priority: str) -> None:
    assert understander.understand(text, now=NOW).priority == priority


@pytest.mark.parametrize(("text", "hazards"), [
    ("燃气灶旁边一股燃气味，不敢开火", ("gas",)),
    ("空调外机冒烟了，还有焦糊味", ("fire",)),
    ("微波炉有焦味", ("fire",)),
    ("热水器漏电，洗澡手麻了一下", ("electric",)),
    ("卫生间漏水，水流到插座那边了", ("water_electric",)),
    ("洗衣机漏水把插排泡了", ("water_electric",)),
    ("I smell gas in the kitchen", ("gas",)),
    ("the heater smells like gas", ("gas",)),
    ("there's a gas smell near the stove", ("gas",)),
    ("my car smells like gasoline", ()),
    ("冰箱漏水，地上都是水", ()),
    ("水龙头开关漏水", ()),
    ("插座有火花，啪啪响", ("electric",)),
    ("燃气灶打不着火", ()),
    ("灶具点不着火，打火没有火花", ()),
    ("燃气灶火苗很小", ()),
    ("等了一周没人来，我都快气炸了", ()),
    ("锅里着火了", ("fire",)),
    ("燃气灶开关那里漏气", ("gas",)),
    ("收到的零食好几包都漏气了", ()),
    ("the plug is smoking, what do I do?", ("fire",)),
    ("there's a burning plastic smell from the microwave", ("fire",)),
    ("the socket is sparking", ("electric",)),
    ("the washing machine gave me a shock", ("electric",)),
])
def test_hazards_are_named_and_urgent(understander, text: str, hazards: tuple[str, ...]) -> None:
    result = understander.understand(text, now=NOW)
    assert result.hazards == hazards
    assert (result.priority == "P1") == bool(hazards)


@pytest.mark.parametrize(("text", "sentiment"), [
    ("什么垃圾服务，我要投诉", "negative"),
    ("我对你们的售后很不满意", "negative"),
    ("师傅很专业，非常满意，谢谢", "positive"),
    ("空调不制冷了", "neutral"),
    ("不好意思，打扰了", "neutral"),
    ("你好，在吗", "neutral"),
    ("好的，明天下午等师傅", "neutral"),
    ("不太满意，安装得歪歪扭扭的", "negative"),
    ("师傅不专业，把墙弄得一塌糊涂", "negative"),
    ("给妈妈买的，挺好的，妈妈特别满意", "positive"),
    ("外观挺好看，但是噪音太大了，晚上根本睡不着", "negative"),
    ("才用了两个月就坏了", "negative"),
])
def test_sentiment(understander, text: str, sentiment: str) -> None:
    assert understander.understand(text, now=NOW).sentiment == sentiment


@pytest.mark.parametrize("text", [
    "", "   \n\t ", "x" * 100_000, "空调坏了" * 25_000, "\x00\x01\x02\xff\ufffd" * 200, "😀😡👍🔥" * 50,
    "Ｔｈｅ ａｉｒｃｏｎ 冷氣機 ئۇيغۇر Привет ☎️ 🙏", "\ud800\udfff broken surrogates",
], ids=["empty", "whitespace", "100k-latin", "100k-chinese", "binary", "emoji", "mixed-scripts", "surrogates"])
def test_bad_input_has_a_defined_result(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert result.type in u.TICKET_TYPES
    assert result.intent in u.INTENTS
    json.dumps(result.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01\x02", "!!!???"],
                         ids=["empty", "spaces", "emoji", "control", "punctuation"])
def test_contentless_input_is_other_with_no_confidence(understander, text: str) -> None:
    result = understander.understand(text, now=NOW)
    assert (result.type, result.type_confidence) == ("other", 0.0)


def test_traditional_and_full_width_read_like_simplified(understander) -> None:
    traditional = understander.understand("我的冷氣機壞了，請派師傅來維修", now=NOW)
    assert traditional.type == "repair"
    wide = understander.understand("接单 ＳＲ－２０２６１１２３－０００１", now=NOW)
    assert (wide.intent, wide.ticket_id) == (u.ACCEPT, "SR-20261123-0001")


def test_sentiment_on_hand_written_service_messages(understander) -> None:
    rows = [json.loads(line) for line in SENTIMENT_GOLD.read_text(encoding="utf-8").splitlines()]
    right = sum(understander.understand(r["text"], now=NOW).sentiment == r["sentiment"] for r in rows)
    assert len(rows) >= 40 and right / len(rows) >= 0.9


@pytest.mark.parametrize(("text", "expecting", "intent"), [
    ("1", "confirm", u.SOLVED), ("是的", "confirm", u.SOLVED), ("修好了，谢谢", "confirm", u.SOLVED),
    ("yes", "confirm", u.SOLVED), ("2", "confirm", u.NOT_FIXED), ("没有", "confirm", u.NOT_FIXED),
    ("还是不行", "confirm", u.NOT_FIXED), ("no", "confirm", u.NOT_FIXED), ("嗯好了", "confirm", u.SOLVED),
    ("嗯嗯，修好了", "confirm", u.SOLVED), ("哦，没有", "confirm", u.NOT_FIXED), ("有帮助", "helpful", u.HELPFUL), ("有", "helpful", u.HELPFUL), ("明白了谢谢", "helpful", u.HELPFUL),
    ("没有", "helpful", u.NOT_HELPFUL), ("2", "helpful", u.NOT_HELPFUL), ("not helpful", "helpful", u.NOT_HELPFUL),
    ("已解决 SR-20261123-0001", None, u.SOLVED), ("未解决", None, u.NOT_FIXED), ("没帮助", None, u.NOT_HELPFUL),
])
def test_yes_and_no_answer_the_question_asked(understander, text: str, expecting: str | None, intent: str) -> None:
    assert understander.understand(text, now=NOW, expecting=expecting).intent == intent


def test_a_longer_message_is_no_yes_or_no(understander) -> None:
    result = understander.understand("洗衣机还有点响，可以再派人来吗", now=NOW, expecting="confirm")
    assert result.intent not in (u.SOLVED, u.HELPFUL)
    assert understander.understand("1", now=NOW).intent != u.SOLVED


@pytest.mark.parametrize("text", ["还是响，晚上吵得睡不着", "又漏水了", "没修好，还是有异味", "依然有噪音",
                                  "it's still leaking", "the fridge is still making that noise"])
def test_at_the_confirm_question_the_fault_told_again_is_not_fixed(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent == u.NOT_FIXED


@pytest.mark.parametrize("text", ["还是挺好的，谢谢", "又来麻烦你们了，空调好了", "还有个问题，冰箱门关不严"])
def test_at_the_confirm_question_other_words_are_not_a_no(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent != u.NOT_FIXED


@pytest.mark.parametrize("text, intent, remark", [
    ("修好了，师傅很专业", u.SOLVED, "师傅很专业"),
    ("修好了但是师傅迟到了一个小时", u.SOLVED, "师傅迟到了一个小时"),
    ("好了，就是师傅来晚了点", u.SOLVED, "师傅来晚了点"),
    ("fixed, but the technician was late", u.SOLVED, "the technician was late"),
    ("好了，但是又漏水了", u.NOT_FIXED, "又漏水了"),
    ("好了，还是有点响", u.NOT_FIXED, "还是有点响"),
])
def test_at_the_confirm_question_words_after_the_answer_are_its_remark(understander, text: str, intent: str,
                                                                        remark: str) -> None:
    result = understander.understand(text, now=NOW, expecting="confirm")
    assert (result.intent, result.note) == (intent, remark)


@pytest.mark.parametrize(("text", "kind"), [
    ("快递被压坏了，箱子都破了，里面的电饭煲也变形了", "return"), ("收到的时候外箱破了，微波炉门也变形了", "return"),
    ("物流太暴力了，电视屏幕碎了", "return"), ("收到货用了三天就坏了", "repair"),
    ("安装师傅把我家地板划了", "complaint"), ("维修师傅把我家瓷砖磕坏了", "complaint"), ("送货的把门框撞坏了", "complaint"),
    ("the TV arrived broken", "return"), ("your installer scratched my floor", "complaint"),
    ("the delivery guy broke my door frame", "complaint"),
    ("my washing machine was delivered last week and now it's broken", "repair"),
])
def test_goods_come_damaged_are_a_return_and_damage_done_in_the_home_a_complaint(understander, text: str,
                                                                               kind: str) -> None:
    """A technician was to be sent to goods the courier had crushed, and to floors the installer had scratched."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize(("text", "kind"), [("do you work on weekends?", "inquiry"), ("are you open on sundays?", "inquiry"),
                                            ("你们周末上班吗", "inquiry"), ("can you send someone to fix it?", "repair"),
                                            ("你们可以上门安装吗", "installation"), ("你们晚上也来吗", "inquiry"),
                                            ("热水器坏了你们能来吗", "repair"), ("你们周末发货吗", "logistics")])
def test_asking_when_the_company_works_books_no_visit(understander, text: str, kind: str) -> None:
    """"do you work on weekends?" opened a repair and asked for a phone; a visit the model is unsure of in a question
    to the company ("你们晚上也来吗") is a question too, unless it names a job or a device."""
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize("text", ["电视机挂架要不要单独买", "安装要不要收费", "有没有上门安装", "空调需不需要每年清洗"])
def test_a_question_asked_as_yes_or_no_is_a_question(understander, text: str) -> None:
    """"电视机挂架要不要单独买" was booked as an installation: "您好，您的预约我们已经记录下来了"."""
    assert understander.understand(text, now=NOW).intent == u.KB_QUESTION


@pytest.mark.parametrize(("text", "intent"), [("morning! hope you are well", u.GREETING), ("how are you today?", u.GREETING),
                                             ("have a nice day", u.GREETING), ("no worries", u.THANKS),
                                             ("thanks, have a good weekend", u.THANKS), ("bye", u.THANKS),
                                             ("great, thanks!", u.THANKS)])
def test_english_greetings_wishes_and_courtesies_open_nothing(understander, text: str, intent: str) -> None:
    """"have a nice day" opened an invoice ticket and "no worries" a repair."""
    understood = understander.understand(text, now=NOW)
    assert (understood.intent, understood.type) == (intent, "other")


@pytest.mark.parametrize("text", ["我家空调是不是坏了 一直滴水", "冰箱没有电", "this is great but it leaks",
                                  "the fridge is nice but noisy"])
def test_a_fault_told_as_a_question_or_with_a_courtesy_is_still_a_problem(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).intent == u.NEW_PROBLEM


@pytest.mark.parametrize("text", ["你好，我想咨询一下你们的扫地机器人有没有上门安装",
                                  "我想问下你们的热水器能不能装在阳台", "问一下洗碗机可以装在水槽下面吗",
                                  "I'd like to ask whether you install robot vacuums"])
def test_saying_one_is_asking_makes_a_question(understander, text: str) -> None:
    """"我想咨询一下你们的扫地机器人有没有上门安装" once booked an installation, and "我想问下你们的热水器能不能装在阳台"
    was told "您的预约我们已经记录下来了"."""
    assert understander.understand(text, now=NOW).intent == u.KB_QUESTION


@pytest.mark.parametrize("text", ["门开了，谢谢", "空调能制冷了", "现在可以正常用了", "不漏水了", "热水器有热水了，谢谢",
                                  "不响了，谢谢师傅", "装好了", "it works now", "the door opens now",
                                  "it's fixed, thanks a lot", "works fine now"])
def test_the_device_told_working_again_is_a_yes(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent == u.SOLVED
    assert understander.understand(text, now=NOW, expecting="helpful").intent == u.HELPFUL


@pytest.mark.parametrize("text", ["门打不开了", "不能用了", "又不制冷了", "不制冷", "没反应", "无法开机"])
def test_the_device_told_out_of_order_at_the_question_is_not_fixed(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent == u.NOT_FIXED


@pytest.mark.parametrize("text", ["屋里太热了", "门自己开了", "能不能修了", "能用了吗"])
def test_working_words_that_negate_or_ask_are_no_yes(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent != u.SOLVED


def test_the_fault_after_a_working_part_reopens(understander) -> None:
    result = understander.understand("冰箱灯亮了，但是不制冷", now=NOW, expecting="confirm")
    assert (result.intent, result.note) == (u.NOT_FIXED, "不制冷")


@pytest.mark.parametrize(("text", "kind"), [("不能用了", "repair"), ("没法用了", "repair"), ("不好用了", "repair"),
                                            ("空调不能用了怎么办", "repair"), ("优惠券不能用了", "inquiry"),
                                            ("微信支付不能用", "inquiry")])
def test_a_device_out_of_order_is_a_repair_and_a_coupon_is_not(understander, text: str, kind: str) -> None:
    assert understander.understand(text, now=NOW).type == kind


@pytest.mark.parametrize("text", ["好冷啊，空调不制冷", "对了，还有个问题", "是不是还要换配件"])
def test_at_the_confirm_question_a_yes_must_stand_as_its_own_clause(understander, text: str) -> None:
    assert understander.understand(text, now=NOW, expecting="confirm").intent not in (u.SOLVED, u.NOT_FIXED)


def test_a_complaint_after_the_yes_reads_as_one_and_thanks_are_no_remark(understander) -> None:
    result = understander.understand("解决了，但是师傅态度太差了", now=NOW, expecting="confirm")
    assert (result.intent, result.sentiment, result.summary) == (u.SOLVED, "negative", "师傅态度太差了")
    assert understander.understand("好了，谢谢师傅，辛苦了", now=NOW, expecting="confirm").note == ""


def test_praise_after_the_yes_is_positive(understander) -> None:
    assert understander.understand("修好了，师傅很专业", now=NOW, expecting="confirm").sentiment == "positive"


@pytest.mark.parametrize("text", ["还是不行", "师傅走了以后又不制冷了", "还是没修好啊", "it is still not working"])
def test_not_fixed_is_understood_anywhere(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).intent == u.NOT_FIXED


def test_the_comment_step_takes_remarks_and_skips_but_not_new_jobs(understander) -> None:
    remark = understander.understand("师傅迟到了两个小时，态度也不好", now=NOW, expecting="survey_comment")
    assert (remark.intent, remark.scale, remark.note) == (u.SURVEY_ANSWER, "comment", "师傅迟到了两个小时，态度也不好")
    skip = understander.understand("跳过", now=NOW, expecting="survey_comment")
    assert (skip.intent, skip.note) == (u.SURVEY_ANSWER, "")
    status = understander.understand("我的工单到哪了", now=NOW, expecting="survey_comment")
    assert status.intent == u.STATUS_QUERY


@pytest.mark.parametrize(("text", "number"), [
    ("2", 2), ("２", 2), ("第2个", 2), ("第二个", 2), ("选3", 3), ("2号", 2), ("1。", 1), ("option 2", 2),
    ("12", None), ("我要2个", None), ("2台空调坏了", None), ("13912345678", None), ("第", None)])
def test_a_numbered_answer_is_a_bare_number(text: str, number: int | None) -> None:
    assert numbered_choice(text) == number


@pytest.mark.parametrize(("text", "said"), [
    ("你好", True), ("谢谢", True), ("好的👍", True), ("嗯嗯", True), ("👍", True), ("ok thanks", True), ("在吗？", True),
    ("不制冷", False), ("没反应", False), ("不转", False), ("空调不制冷，谢谢", False), ("E4", False),
])
def test_a_pleasantry_is_only_greetings_thanks_and_symbols(text: str, said: bool) -> None:
    from nlp import pleasantry
    assert pleasantry(text) is said


@pytest.mark.parametrize(("text", "sentiment", "angry"), [
    ("😡😡😡", "negative", True), ("[流泪]", "negative", False), ("👍", "neutral", False), ("空调又坏了🤬", None, True),
])
def test_emoji_and_stickers_tell_the_mood(understander, text: str, sentiment: str | None, angry: bool) -> None:
    understood = understander.understand(text, now=NOW)
    assert understood.angry is angry
    assert sentiment is None or understood.sentiment == sentiment


@pytest.mark.parametrize(("text", "intent"), [
    ("快递到了", u.THANKS), ("面包收到了", u.THANKS), ("东西收到了，谢谢", u.THANKS), ("my parcel arrived", u.THANKS),
    ("收到了但是坏了", u.NEW_PROBLEM), ("货到了，少了一件", u.NEW_PROBLEM), ("package arrived damaged", u.NEW_PROBLEM),
    ("东西收到了，但是外壳凹进去一块", u.NEW_PROBLEM), ("收到了，外壳凹进去一块", u.NEW_PROBLEM),
    ("衣服收到了有个洞", u.NEW_PROBLEM), ("刚收到的鞋子开胶了", u.NEW_PROBLEM),
    ("鞋子收到了，偏小", u.NEW_PROBLEM), ("收到货了", u.THANKS), ("已经收到了，挺快的", u.THANKS),
])
def test_a_receipt_confirmed_opens_nothing(understander, text: str, intent: str) -> None:
    """"快递到了" confirms a delivery: thanks, not a logistics ticket; what arrived broken or short is a problem."""
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize("text, expected", [("那帮我寄一个吧", True), ("好的，那就换一个", True), ("行，那你们安排吧", True),
                                            ("那个空调又坏了", False), ("那边说不能退", False), ("帮我寄一个", False)])
def test_a_message_going_on_from_the_answer_before_it(text: str, expected: bool) -> None:
    assert continuing(text) is expected


@pytest.mark.parametrize("text, intent", [("好吧", u.THANKS), ("嗯嗯", u.THANKS), ("行吧", u.THANKS), ("额", u.GREETING)])
def test_a_bare_acknowledgement_is_heard_as_one(understander, text: str, intent: str) -> None:
    """"好吧" was answered "您好，我在。" as if it were a greeting."""
    assert understander.understand(text, now=NOW, expecting="phone").intent == intent


@pytest.mark.parametrize("expecting, intent", [(None, u.APPOINT), ("phone", u.APPOINT), ("time", u.ADD_DETAIL)])
def test_a_visit_moved_is_one_whatever_detail_is_awaited_but_a_time(understander, expecting: str | None,
                                                                    intent: str) -> None:
    assert understander.understand("后天我临时有事，改到周日上午吧", now=NOW, expecting=expecting).intent == intent


@pytest.mark.parametrize(("text", "address"), [("建国路88号SOHO现代城5号楼1203", "建国路88号SOHO现代城5号楼1203"),
                                               ("就是人民路5号", "人民路5号"), ("送到中山路18号3栋", "中山路18号3栋")])
def test_a_street_and_its_number_answer_a_question_for_the_address(understander, text: str, address: str) -> None:
    """Only when an address was asked for: "5号楼" is then no date, and no place name is needed before the street."""
    asked = understander.understand(text, now=NOW, expecting="address")
    assert (asked.intent, asked.entities.times) == (u.ADD_DETAIL, ())
    assert [a.text for a in asked.entities.addresses] == [address]
    assert understander.understand(text, now=NOW).entities.addresses == ()


@pytest.mark.parametrize(("text", "intent"), [("算了不用了，取消吧", u.CANCEL), ("那就取消吧", u.CANCEL), ("取消掉", u.CANCEL),
                                              ("please cancel", u.CANCEL), ("不要了，取消订单", u.NEW_PROBLEM),
                                              ("取消发货", u.NEW_PROBLEM)])
def test_cancel_words_alone_cancel_and_an_order_named_is_a_request(understander, text: str, intent: str) -> None:
    assert understander.understand(text, now=NOW).intent == intent


@pytest.mark.parametrize(("text", "question"), [("空调不制冷，另外保修期多久？", "保修期多久？"),
                                                ("洗衣机漏水了，顺便问下上门收费吗", "上门收费吗"),
                                                ("the fridge is not cooling, also how long is the warranty?",
                                                 "how long is the warranty?"),
                                                ("空调不制冷，另外洗衣机也漏水", None), ("保修期多久？", None),
                                                ("冷冻室不冷，是不是坏了？要怎么处理", "冷冻室不冷，是不是坏了？要怎么处理"),
                                                ("热水器漏水，地上全是水，怎么办啊", "热水器漏水，地上全是水，怎么办啊"),
                                                ("怎么办", None)])
def test_the_question_a_report_ends_with_is_found(text: str, question: str | None) -> None:
    assert question_beside(text) == question


@pytest.mark.parametrize(("text", "kind"), [("my fridge stopped cooling, also how long is the warranty?", "repair"),
                                            ("the washer leaks. by the way, do you charge for the visit?", "repair")])
def test_a_problem_told_before_a_question_is_a_problem_to_file(understander, text: str, kind: str) -> None:
    """The knowledge base answers the question beside the ticket (handlers.intake); answering it instead would leave
    the fridge unheard."""
    understood = understander.understand(text, now=NOW)
    assert (understood.intent, understood.type) == (u.NEW_PROBLEM, kind)
    assert understander.understand("how long is the warranty?", now=NOW).intent == u.KB_QUESTION


def test_contact_details_read_as_chit_chat_are_details_not_a_hello(understander) -> None:
    text = "come tomorrow afternoon, 88 Jianguo Road, Chaoyang District, Beijing, phone 13912345678"
    assert understander.understand(text, now=NOW).intent == u.ADD_DETAIL


@pytest.mark.parametrize("text", ["师傅明天几点到", "师傅大概几点到？我好安排", "师傅什么时候到啊", "修好了没", "弄好了没有",
                                  "什么时候能修好"])
def test_asking_when_the_technician_comes_or_whether_it_is_fixed_is_a_status_question(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).intent == u.STATUS_QUERY


@pytest.mark.parametrize("text", ["师傅几点来都行", "师傅什么时候来都可以", "师傅明天下午几点来比较好"])
def test_saying_when_the_technician_may_come_is_no_status_question(understander, text: str) -> None:
    assert understander.understand(text, now=NOW).intent != u.STATUS_QUERY


@pytest.mark.parametrize(("text", "intent"), [("上门服务要预约吗", u.KB_QUESTION), ("安装需要提前预约吗", u.KB_QUESTION),
                                             ("帮我预约明天上门", u.NEW_PROBLEM), ("预约安装", u.NEW_PROBLEM)])
def test_asking_whether_to_book_is_no_booking(understander, text: str, intent: str) -> None:
    """"上门服务要预约吗" opened an installation ticket: "您的预约我们已经记录下来了"."""
    assert understander.understand(text, now=NOW).intent == intent
