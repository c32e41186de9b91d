"""Short answers to a yes/no question the hub asked: "is it fixed now?" after a job (`expecting="confirm"`) and
"did this help?" after a knowledge-base answer (`expecting="helpful"`). The numbers are the numbered choices channels
without buttons show (1 = yes, 2 = no). A longer message is not an answer: it is understood as usual."""
from __future__ import annotations

import re
import unicodedata

from . import understanding as u

_YES = r"是|是的|对|对的|嗯+|恩|好|好的|行|可以|可以了|没问题了?|ok|okay|yes|yeah|yep|y|sure|1"
_PLAIN = r"(?:(?![不没无又还仍坏漏太自])[\u4e00-\u9fff])"
"""A character that neither negates nor repeats a fault."""
_WORKING = (rf"{_PLAIN}{{0,6}}(?:(?:能|可以)(?:正常)?{_PLAIN}{{1,4}}了|"
            r"(?:已经|现在)?(?:开|通|亮|转|热|凉|制冷|制热|出水|出热水|有热水|有水|有电|出风|出热风|恢复|恢复正常|正常|"
            r"好使|好用|弄好|搞好|装好|调好|换好|收到|到账|退回来|退回|送到|到手)了|"
            r"不再?(?:漏水?|滴水?|响|异响|跳闸|报警|冒烟|闪|卡|吵|臭)了|(?:挺|很|真|蛮|超|特别)快(?:的|啊)?)"
            r"|(?:it|the \w+)?\s*(?:is |'s )?(?:working|works|cooling|heating|running|draining|opens?|turns on)"
            r"(?: (?:now|again|fine|properly|perfectly))+|(?:it|that)(?:'s| is) (?:fixed|solved|sorted)(?: now)?"
            r"|(?:i )?(?:got|received) (?:it|them|the \w+|my \w+|my money back)"
            r"|(?:the |my )?(?:refund|money|parcel|package|invoice|replacement) (?:has |is )?(?:arrived|came|come|in)")
"""The device told working again in the customer's own words ("门开了", "空调能制冷了", "不漏水了", "works now"), or
what a return, a refund or an invoice was for told received ("退款收到了", "钱已经退回来了", "got my refund",
"挺快的"): a yes to "is it fixed now?" or "did this help?". What comes before the state may not negate or repeat the
fault (门打不开了, 又不制冷了, 太热了, 自己开了, 还没收到)."""
_FIXED = _WORKING + (r"|解决了|已解决|已经?解决了|修好了|已经?修好了|好了|已经?好了|都好了|全好了|(?:感觉|现在)?好多了|"
                     r"fixed|solved|it works|working now|(?:all )?(?:good|sorted|fixed|done) now|"
                     r"all (?:good|sorted|fixed|done)|(?:(?:it|that)(?:'s| is) |(?:it )?(?:seems|looks) )?"
                     r"(?:working|fine|ok|okay|good|great|perfect)(?: now| again)?|(?:it )?seems to (?:work|be working)"
                     r"(?: now| fine)?")
"""Saying the fault is gone, alone ("修好了") or before a remark ("修好了，师傅很专业", `answered_with_remark`)."""
_NO = r"不|不是|否|没有|没|不行|no|nope|n|2"
_WORDS: dict[str, tuple[str, str, str, str]] = {
    "confirm": (u.SOLVED, _YES + "|" + _FIXED,
                u.NOT_FIXED, _NO + r"|没解决|未解决|还没解决|没修好|还没好|还是不行|还是坏的|not fixed|not solved|"
                r"not really|(?:(?:no|nope)[\s,]*)?(?:the )?same (?:problem|issue|thing)(?: as before)?|"
                r"still broken|still not working"),
    "helpful": (u.HELPFUL, _YES + "|" + _WORKING + r"|有|有帮助|有用|很有用|帮助很大|解决了|明白了|懂了|谢谢|thanks|"
                r"helpful|(?:(?:yes|yeah)[\s,]*)?(?:thanks[\s,]*)?(?:that |it )?helped(?: a lot)?",
                u.NOT_HELPFUL, _NO + r"|没用|没帮助|没有帮助|没什么帮助|不管用|没解决|不是我要的|看不懂|没看懂|not helpful|"
                r"useless|not really|(?:that |it )?didn'?t help(?: at all)?|(?:that |it )?did not help"),
}
_TRAILING = r"[\s,，.。!！~～?？啊呀啦了的哦噢]*"
_THANKS = (r"(?:[\s,，.。!！~～]*(?:谢谢|多谢|感谢|thanks|thank you|cheers|thx|ty)"
           r"(?:你|您|师傅|了| a lot| so much| very much)?)?")
_AFFIRMED = r"(?:(?:是的|是|对的|对|嗯+|yes|yeah|yep|yup)[\s,，.。!！~～]*)?"
"""A yes before the answer in words ("是的修好了", "yep, works fine now"): the same answer."""
_LEAD = r"(?:(?:嗯+|恩|哦+|噢|喔|啊|额|呃|um|uh|oh)[\s,，.。~～]*)?"
"""A filler before the answer ("嗯好了", "哦，没有"): the answer all the same."""
_ANSWERS = {kind: (yes, re.compile(rf"^{_LEAD}{_AFFIRMED}(?:{yes_words}){_TRAILING}{_THANKS}{_TRAILING}$",
                                   re.IGNORECASE),
                   no, re.compile(rf"^{_LEAD}(?:{no_words}){_TRAILING}$", re.IGNORECASE))
            for kind, (yes, yes_words, no, no_words) in _WORDS.items()}


# Said instead of "还是不行" to "is it fixed now?": the fault is still there, in the customer's own words ("还是响，晚上
# 吵得睡不着", "又漏水了", "没修好，还是有异味", "不制冷", "it's still leaking").
_PERSISTS = re.compile(
    r"^(?:好像|感觉|似乎|貌似)?(?:还是|依然|仍然|仍旧|照样|又(?=坏|漏|响|不|出|有|开始|跳|显示|停|冒)|跟之前一样|和之前一样|没修好|没解决|还没好|"
    r"不(?=能|好用|制冷|制热|加热|出水|出热水|排水|脱水|转|亮|启动|工作|开机)|没(?=反应|热水|电|法)|无法|"
    r"(?:还|都)?没(?=收到|到账|退|到)|少了|缺了|(?:只)?好(?:了)?一(?:点|些|点点)(?:了)?(?:[，,]|$)|"
    rf"{_PLAIN}{{0,4}}(?:用不了|打不开|开不了|关不上))"
    r"(?!.*(?:谢谢|感谢|好了|好的|不错|正常|解决了|修好了|好用|可以了))"
    r"|^(?:(?:it'?s |it is )?(?:only )?(?:partly|partially|a (?:bit|little) better|somewhat better|kind of|sort of)"
    r"(?: (?:fixed|better|working))?[\s,.!]*$)"
    r"|^(?:it'?s |it is |the \w+ is )?still (?:a (?:bit|little) |kind of |somewhat )?"
    r"(?:broken|leaking|noisy|not|doesn'?t|won'?t|making|the same|there)"
    r"|^(?:i )?(?:still )?(?:haven'?t|have not|didn'?t|did not|never) (?:got|gotten|get|received?)",
    re.IGNORECASE,
)


_SOLVED_WORDS = _FIXED + r"|可以了|没问题了|是的?|对的?|嗯+|yes"
_CONTRAST = r"(?:但是?|不过|就是|只是|可是|然而|but|although|though)"
_SOLVED_THEN = re.compile(
    rf"^{_LEAD}(?:{_SOLVED_WORDS})(?:[\s,，.。!！~～;；]+|(?=[\s,，]*{_CONTRAST}))(?:{_CONTRAST}[\s,，]*)?(?P<rest>.+)$",
    re.IGNORECASE,
)


def answered_with_remark(text: str) -> tuple[str, str] | None:
    """An answer to "is it fixed now?" that goes on after the yes ("修好了，师傅很专业", "好了，就是师傅来晚了点",
    "fixed, but the technician was late"): (SOLVED, what follows), or (NOT_FIXED, what follows) when that says the
    fault is still there ("好了，但是又漏水了"). None when the message does not start with the yes."""
    found = _SOLVED_THEN.match(text.strip())
    if found is None:
        return None
    rest = found["rest"].strip()
    return (u.NOT_FIXED if _PERSISTS.match(rest) else u.SOLVED), rest


_HEARD = r"嗯嗯|哦|噢|喔|对啊|是啊|好吧|行吧|没事"
"""Bare words that say a message was heard (beside the yes words)."""
_BARE = re.compile(rf"^(?:{_YES}|{_NO}|{_HEARD}|额|呃|啊|没了|no thanks){_TRAILING}$",
                   re.IGNORECASE)


_DETAIL = r"(?:联系)?(?:电话|手机号?码?|号码|地址|订单号?|单号|序列号|SN|时间|发票)"
_HERE = r"(?:你们|您)?(?:有事)?(?:就|直接)?在这(?:里|儿|边)?(?:联系|聊|说|回复|找)我?(?:吧|就行|就好|就可以|好了)?"
"""Asking to be reached in the chat instead ("在这里联系我就行"): said with a phone withheld, it is no phone."""
_WITHHELD = re.compile(
    rf"^(?:我|暂时|现在|目前|真的|确实|这个)?(?:没有|没|无|暂无|不方便|不太方便|不想(?:给|留|说)|不给|不留|不告诉你?|"
    rf"不记得了?|忘了|忘记了|不知道|找不到了?|看不清|算了吧?|不用了?|不需要了?|随便|都行|都可以|什么时候都行)"
    rf"(?:(?:留|给|提供)?{_DETAIL})?(?:[，,。.！!~～\s]*(?:不方便|不想给|不给|找不到了?|忘了|抱歉|不好意思|sorry|{_HERE}))*"
    rf"{_TRAILING}$"
    rf"|^(?:{_DETAIL})(?:就)?(?:没有|不方便|不想给|不给|不留了?|找不到了?|忘了|不记得了?)(?:给|留|说)?"
    rf"(?:[，,。\s]*{_HERE})?{_TRAILING}$"
    rf"|^{_HERE}{_TRAILING}$"
    r"|^(?:no|nope|none|n/a|no phone|no number|i don'?t have (?:one|a phone|it|an? order number)|rather not|"
    r"i'?d rather not|not now|skip|any ?time|whenever|don'?t know|not sure)[\s.!,]*$"
    r"|^(?:(?:sorry|no|my phone is (?:dead|broken|lost))[\s,.!]+)?(?:i'?d rather you |please |just |you can )?"
    r"(?:message|contact|reach|text|chat with|answer) me (?:here|in (?:the |this )?chat|by e-?mail)"
    r"(?: instead| please| thanks)*[\s.!,]*$|^(?:my phone is (?:dead|broken|lost)[\s,.!]*)?"
    r"(?:please )?(?:use|send it to|contact me by) (?:my )?e-?mail(?: please| instead)*[\s.!,]*$",
    re.IGNORECASE,
)


_SAME_AS_BEFORE = re.compile(
    r"^(?:地址)?(?:还是|就是|也是)?(?:和|跟|同)?(?:上次|上回|以前|之前|原来)(?:的|那个)?(?:一样|相同|那个|地址)?(?:的|吧|啊|哈)?"
    r"(?:地址)?(?:[，,\s]*(?:没变|不变|没换|一样))?[\s。.!！~～]*$"
    r"|^(?:地址)?(?:没变|没换|不变|还是老地址|老地址)(?:的|吧|啊|哈)?[\s。.!！~～]*$"
    r"|^(?:it'?s )?(?:the )?same (?:address )?as (?:last time|before)[\s.!]*$|^(?:the )?same address[\s.!]*$",
    re.IGNORECASE)


def same_as_before(text: str) -> bool:
    """Whether the answer to "what is your address?" is the one the customer gave before ("和上次一样", "地址没变",
    "same as last time"): it is looked up on their tickets, not asked for again."""
    return bool(_SAME_AS_BEFORE.match(text.strip()))


_NEVER_MIND = re.compile(
    r"^(?:那|那就|好吧|哎|唉)?[，,\s]*算了(?:吧)?[，,。.\s]*(?:不用了|不需要了|不要了|不弄了|不麻烦了|没事了)[。.!！~～…]*$"
    r"|^(?:不用了|不需要了|不要了|没事了)[，,。.\s]*算了(?:吧)?[。.!！~～…]*$"
    r"|^(?:oh )?(?:never ?mind|forget it|forget about it)(?: then)?[\s.!]*$",
    re.IGNORECASE,
)


def never_mind(text: str) -> bool:
    """Whether `text`, said while a ticket is open in the thread, may take the whole request back ("算了不用了",
    "never mind"): not a detail, a greeting or plainly a cancellation — the customer is asked whether to cancel
    ("算了" alone only declines an awaited detail: `withheld`)."""
    return bool(_NEVER_MIND.match(text.strip()))


def withheld(text: str) -> bool:
    """Whether `text`, the answer to a request for a phone, address, time, serial or order number, says there is
    none to give ("没有", "没有电话", "不方便", "no", "随便"): never the detail itself, nor a new problem."""
    return bool(_WITHHELD.match(text.strip()))


_ACKNOWLEDGED = re.compile(rf"^(?:{_YES}|{_HEARD}){_TRAILING}$", re.IGNORECASE)


def acknowledgement(text: str) -> bool:
    """Whether a bare answer ("好吧", "嗯嗯", "ok") says it was heard, rather than only getting attention ("啊", "额")
    or saying no: it is answered "好的", never "您好，我在"."""
    return bool(_ACKNOWLEDGED.match(text.strip()))


def bare_answer(text: str) -> bool:
    """Whether `text` is only a yes, a no or a filler ("嗯", "好的", "没有"): an answer to nothing when no question
    waits for it, so never a request (the hub greets or thanks, and opens no ticket)."""
    return bool(_BARE.match(text.strip()))


def yes_no_intent(text: str, expecting: str | None) -> str | None:
    """The intent a short answer to the question `expecting` names carries, or None when it is not one."""
    found = _ANSWERS.get(expecting or "")
    if found is None:
        return None
    yes, yes_pattern, no, no_pattern = found
    text = text.strip()
    if no_pattern.match(text):
        return no
    if yes_pattern.match(text):
        return yes
    if expecting == "confirm" and _PERSISTS.match(text) or expecting == "helpful" and still_broken(text):
        return no
    return None


_NOT_HELPED_THEN = re.compile(rf"^(?:{_WORDS['helpful'][3]})[\s,，.。!！~～;；]+(?P<rest>.+)$", re.IGNORECASE)


def still_broken(text: str) -> str:
    """What says the fault is still there after an answer meant to fix it ("没用，还是不行" → "还是不行", "还是显示E4"),
    else "": the knowledge base did not help, and those words tell the technician what was tried."""
    found = _NOT_HELPED_THEN.match(text.strip())
    rest = found["rest"].strip() if found else text.strip()
    return rest if _PERSISTS.match(rest) else ""


_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBERED = re.compile(rf"^(?:(?:选择?|选)?第?\s*([1-9])|第([一二两三四五六七八九]))\s*(?:个|号|项|条|行)?"
                       rf"(?:工单|选项)?{_TRAILING}$|^(?:no\.?|number|option)\s*([1-9]){_TRAILING}$", re.IGNORECASE)


def numbered_choice(text: str) -> int | None:
    """The line a bare "2", "２", "第2个", "第二个", "选3" or "option 2" picks from a reply's numbered answers, or None
    when `text` is more than such a number."""
    found = _NUMBERED.match(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return None
    digit, chinese, english = found.groups()
    return int(digit or english) if (digit or english) else _CHINESE_DIGITS[chinese]


_CORRECTION = re.compile(
    r"(?:写|打|发|输|填|记|留)错了?|弄错了?|搞错了?|不对|应该是|改成|改为|更正|更改为|换(?:手机)?号(?:码)?了|新(?:手机)?号码?|"
    r"\bwrong (?:number|phone|address)|\btypo\b|\b(?:should|meant to) (?:be|say)\b"
    r"|\bcorrect (?:number|phone|address|one)"
    r"|\bchanged my (?:number|phone|address)|\bnew (?:number|phone number|address)\b|\bi meant\b",
    re.IGNORECASE)


_AN_ORDER = re.compile(r"订单|收货|收件|快递|发货|寄到|\b(?:order|shipping|delivery)\b", re.IGNORECASE)


def corrects_detail(text: str) -> bool:
    """Whether a message giving a phone or an address says it corrects one given before ("不好意思电话写错了，是…",
    "号码打错了，应该是…", "sorry, wrong number, it's …"): the new one replaces the old on the ticket, so nobody
    calls the wrong number. An order's delivery address changed ("订单收货地址改成…") is an order change."""
    return bool(_CORRECTION.search(text)) and not _AN_ORDER.search(text)
