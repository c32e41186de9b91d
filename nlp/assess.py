"""Priority (P1–P4) and sentiment from the words customers use for danger, urgency and feelings.

Rules, not a model: a missed gas smell is far costlier than an over-ranked ticket, and the lists are short and
auditable. Danger to people or property is P1; a disabling fault (leak, no power, production stopped) is P2, P1 when
old people or children are exposed or the customer says it is urgent; urgency and anger raise any other ticket one
level. Sentiment counts feeling words with negation (不满意, 不太好, 没有很专业) and contrast (…但是…).
"""
from __future__ import annotations

import re

_DANGER = re.compile(
    r"冒烟|起火|着火|失火|火苗|冒火|火花|爆炸|炸了|漏电|触电|电到|麻手|手麻|燃气味|煤气味|天然气味|漏气|有气味.*燃气|"
    r"烧焦|焦糊味|糊味|短路|smoke|fire|gas leak|electric shock|sparks?"
)
_SEVERE = re.compile(
    r"漏水|渗水|淹了|水漫|满地.{0,3}水|喷水|停产|停工|停业|生产线|断电|跳闸|没电|不通电|完全不能用|用不了|没法用|"
    r"没有?热水|不制冷|不制热|暖气不热|地暖不热|冻得|冻死|热死|中暑|坏了.{0,6}(?:一屋|全部)|进不了家|打不开门|leak"
)
_VULNERABLE = re.compile(r"老人|老年人|爷爷|奶奶|姥姥|外婆|老妈|孩子|小孩|婴儿|宝宝|孕妇|怀孕|病人|瘫痪|坐月子|月子")
_URGENT = re.compile(r"急|马上|立刻|立即|赶紧|尽快|今天必须|等不了|十万火急|火速|asap|urgent|hurry", re.IGNORECASE)
_ANGRY = re.compile(
    r"投诉|12315|消协|消费者协会|工商|曝光|媒体|律师|起诉|法律|垃圾|骗子|骗人|坑人|太差|差劲|气死|受够|"
    r"他妈|妈的|tmd|操|滚|恶心|无语|忍无可忍|什么破|没完|说法|失望|生气|愤怒|不负责|rubbish|terrible|worst|angry",
    re.IGNORECASE,
)
# Feeling words, strongest first within each list. Fault words (漏水, 不制冷, 坏了) are not feelings: a repair request
# stays neutral unless the customer says how they feel, or that it broke again or early (又坏了, 就坏了).
_NEGATIVE_WORDS = (
    "不满意|很差|太差|极差|最差|差劲|差评|垃圾|骗子|骗人|欺骗|上当|坑人|坑爹|失望|生气|愤怒|气死|烦死|恶心|无语|"
    "醉了|受够|糟糕|伤心|难过|郁闷|崩溃|投诉|后悔|太慢|慢死|离谱|过分|不负责|敷衍|态度差|态度恶劣|他妈|妈的|凭什么|"
    "怎么还|到底|假货|假的|山寨|退货|退款|退了|难用|难吃|难看|难闻|难受|不值|不推荐|别买|不会再|再也不|一般般|一般|"
    "太贵|偏贵|很贵|贵了|不新鲜|烂了|烂|脏|臭|异味|霉|掉色|起球|划痕|瑕疵|破损|破了|缺货|少了|卡顿|死机|"
    "发烫|噪音大|太吵|很吵|又坏|就坏|没人管|没人理|不理|推脱|扯皮|浪费|鸡肋|凑合|不如|差|糊弄|忽悠|耻辱|粗糙|"
    "一塌糊涂|什么破|破服务|没人来|怎么回事|睡不着|又得|不咋地|不怎么样|受骗|怠慢|不适|吵|拉肚子|不符|遗憾|不爽|失败|太小|太重|太薄|不人性化|宰人|黑屏|白屏|没用|不能用|用不了|毛病|太慢|很慢|慢|"
    "bad|terrible|worst|angry|disappointed|awful|poor"
)
_POSITIVE_WORDS = (
    "非常满意|很满意|满意|不错|好评|五星|点赞|给力|专业|耐心|热情|周到|喜欢|感谢|谢谢|多谢|辛苦了|开心|高兴|完美|"
    "靠谱|及时|放心|信赖|推荐|值得|超值|划算|实惠|物美价廉|性价比高|便宜|很快|挺快|速度快|神速|好用|好吃|好看|"
    "好听|好喝|漂亮|舒服|舒适|方便|新鲜|干净|正品|清晰|流畅|耐用|结实|精致|惊喜|棒|赞|优秀|一流|满分|挺好|很好|"
    "真好|太好|超好|蛮好|非常好|特别好|比较好|还好|好|支持|可口|爽口|优越|到位|会继续|还会再|下次还|物超所值|"
    "贴心|细心|合适|合身|感动|满足|愉快|优惠|可爱|"
    "thanks|thank you|great|good|excellent|perfect|love|nice"
)
_FEELING = re.compile(f"(?P<neg>{_NEGATIVE_WORDS})|(?P<pos>{_POSITIVE_WORDS})", re.IGNORECASE)
# A negator just before a feeling word turns it round: 不好, 不太满意, 没有很好, 不是很专业, 不难用.
_NEGATOR = re.compile(r"(?:不|没|没有|无|(?<![特区分级类个派性告识])别|毫不|并不|一点也不|一点都不)(?:太|很|是很|怎么|够|算|是)?$")
# Politeness and fixed phrases that carry no feeling.
_NEUTRAL_PHRASES = re.compile(
    r"不好意思|你好|您好|说好|(?<![很挺真太超蛮较常别])好(?:的|吧|了)|好不好|好久|好几|好像|好多|好些|只好|最好|好在|修好|装好|弄好|"
    r"麻烦你了|不差钱|差不多|差点|相差|差价|一般来说|一般都|一般是|到底是不是|还好吗|问一下|请问"
)
_CONTRAST = re.compile(r"但是|但|可是|不过|然而|就是")
_QUIET_TYPES = ("inquiry", "other")


def priority(text: str, ticket_type: str) -> str:
    """P1 (act now) … P4 (no ticket, or a question that can wait)."""
    if _DANGER.search(text):
        return "P1"
    pressing = bool(_VULNERABLE.search(text)) or bool(_URGENT.search(text))
    if _SEVERE.search(text):
        return "P1" if pressing else "P2"
    level = 4 if ticket_type in _QUIET_TYPES else 3
    if pressing:
        level -= 1
    if _ANGRY.search(text):
        level -= 1
    return f"P{max(level, 2)}"


def sentiment(text: str) -> str:
    """negative | neutral | positive from the feeling words; a negated word counts the other way round, and what
    follows a 但是/不过 counts double ("外观好看，但是质量太差" is a complaint)."""
    text = _NEUTRAL_PHRASES.sub("，", text)
    contrast = max((m.end() for m in _CONTRAST.finditer(text)), default=-1)
    score = 0.0
    for m in _FEELING.finditer(text):
        value = -1.0 if m.lastgroup == "neg" else 1.0
        if _NEGATOR.search(text, max(0, m.start() - 6), m.start()):
            value = -value
        score += value * (2 if m.start() >= contrast >= 0 else 1)
    if score < 0:
        return "negative"
    if score > 0:
        return "positive"
    return "neutral"
