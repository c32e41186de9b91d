"""What a free-text message wants, once it is known not to be an exact command or a survey answer.

The type model says what a message is about; these rules say what to do with it: report a new problem, add a
detail to the open one, ask for status, cancel, ask for a person, ask a knowledge question, or just greet/thank.
"""
from __future__ import annotations

import re

from . import understanding as u
from .entities import number_tried, product_mentions
from .normalize import STICKERS
from .patterns import quick
from .replies import corrects_detail, same_as_before
from .times import without_times
from .understanding import Entities

_HUMAN = quick(r"转人工|人工客服|人工服务|找人工|要人工|接人工|真人|活人|human agent|real person|talk to (?:a )?human",
               re.IGNORECASE)
_ONLY_A_PERSON = re.compile(
    r"^(?:(?:你好|您好|在吗|hi|hello)[\s,，!！。.]*)?(?:我|请|麻烦|帮我|给我)?(?:要|想|需要)?(?:找|转|接|联系)?(?:个|一下)?"
    r"(?:人工|真人|活人)(?:客服|服务)?(?:一下)?(?:吧|啊|呀|谢谢)?[\s!！。.?？~～]*$"
    r"|^(?:i (?:want|need|would like|'d like) to )?(?:talk|speak) to (?:a )?(?:human|real person|person|agent)"
    r"(?: please)?[\s.!]*$|^(?:a )?(?:human|real person)(?: agent)?(?: please)?[\s.!]*$",
    re.IGNORECASE)


def only_a_person_asked(text: str) -> bool:
    """Whether `text` asks for a person and tells nothing else ("我要找人工客服", "talk to a human"): the ticket the
    handover opens is an inquiry until the customer says what it is about, whatever type the words read as."""
    return bool(_ONLY_A_PERSON.match(text.strip()))


_CANCEL = quick(
    r"取消(?:这个|这次|一下)?(?:工单|预约|报修|维修|安装|上门|服务|申请)|(?:不用|不需要|别)再?(?:(?:过来|来|上门)(?:修|维修|安装)?|修|维修|安装)了|"
    r"(?:已经|自己)?(?:修|弄|搞)好了.{0,4}不用|不(?:用|需要)了.{0,6}(?:修|弄|搞)好了|"
    r"(?:自己|已经)(?:找了?|叫了?|请了?)(?:人|师傅|别人|别家|外面的人)(?:来)?(?:修|弄|搞|看|处理)(?:好)?了|"
    r"找了?(?:别人|别家|外面的人|其他师傅)(?:来)?(?:修|弄|搞)(?:好)?了|"
    r"(?:算了|那就)[，,\s]*(?:不修了|不用修了|不装了|不安装了)|(?:买|换)了?(?:个|台)?新的了|(?:买|换)了(?:个|台|一台|一个)?新的|"
    r"^(?:那就|那|请|麻烦|帮我)?取消(?:掉|了)?(?:吧|啊|哈)?[，,。.!！\s]|"
    r"(?:不用|不需要)再?(?:改|退|换)了(?![^。.!！?？]*(?:修|装))|"
    r"(?:never ?mind|no need)\W+i (?:(?:got|had) it (?:fixed|repaired)|fixed it(?: myself)?|found someone)|"
    r"cancel (?:my|the|this) (?:ticket|request|appointment|visit)|"
    r"^(?:please |pls |can you |could you |i'?d like to |i want to |i need to )?cancel(?: it| this| that"
    r"| the (?:repair|visit|appointment|booking|request|ticket|installation))?(?: please)?(?:[,.!;]|$)|"
    r"\b(?:no need|don'?t need|do not need|no longer need)\b[^.!?]{0,40}\b(?:any ?more|any longer)\b",
    re.IGNORECASE,
)
_CANCEL_WORD = re.compile(r"取消|撤销|cancel", re.IGNORECASE)
"""Beside a ticket number, the word alone cancels it ("SR-… 我要取消")."""
_NEVER_MIND = r"(?:算了|那|好吧|不用了|不需要了|不要了|我?不想要了|不修了|不装了|不弄了)"
_BARE_CANCEL = re.compile(
    rf"^(?:{_NEVER_MIND}[，,。.\s]*)*(?:那就|那|就|帮我|麻烦|请|我要)?"
    rf"(?:取消|撤销)(?:掉|了)?(?:吧|啊|了|哈|呗)?(?:[，,。.\s]*{_NEVER_MIND})*[。.!！~～]*$|"
    r"^(?:please )?cancel(?: it)?[.!]*$", re.IGNORECASE)
"""The word with nothing to cancel named ("算了不用了，取消吧"): the ticket the thread is about, not an order."""
_NOT_FIXED = quick(
    r"还是(?:不行|不好使?|没好|坏的|有问题|老样子|一样|漏|不能|不制冷|不出)|(?:没|没有|未)(?:修好|解决|弄好)|"
    r"又(?:坏|不行|出问题|漏水|不制冷|不脱水)了?|问题(?:还在|依旧|依然)|"
    r"still (?:not working|broken|leaking|the same)|not fixed|did ?n[o']t (?:fix|work)|"
    r"(?:\bit|\bthat|\bstill|^)\s*does ?n[o']t work|does ?n[o']t work (?:again|any ?more)|(?:broken|leaking) again",
    re.IGNORECASE,
)
"""The customer says a job is not done after all: the same ticket reopens while it may, else it is a problem."""
_PROGRESS = quick(r"到哪|怎么样|进度|状态|哪一步|处理|好了没|什么时候|结果|消息|status|progress", re.IGNORECASE)
"""Words asking how a ticket stands: beside a ticket number, whatever else the message says, it asks its status."""
_STATUS = quick(
    r"(?:工单|报修|维修|进度|师傅|申请|售后).{0,8}(?:到哪|怎么样|进度|状态|(?:什么时候|啥时候|几点)(?:能)?(?:来|到|上门|能修)(?![都也]|比较|合适|方便|好)|"
    r"还没(?:来|到|人)|"
    r"处理得?怎么样|有(?:没有)?消息|结果|哪一步)|(?:报|报修|提交|申请|登记|反映)过.{0,14}(?:到哪|怎么样|进度|状态|"
    r"结果|处理|有(?:没有)?消息)|问题(?:处理|解决)(?:了没有?|好了没|得怎么样)|"
    r"(?:修|弄|处理|搞|解决)好?了(?:没有?|吗|么)[\s?？。.!！~～啊呀]*$|什么时候(?:能)?(?:修|弄|处理)好|"
    r"查(?:一下|询)?(?:我的)?(?:工单|进度|维修)|进度(?:怎么样|如何|查询)|"
    r"配件(?:到了?(?:吗|么|没有?)|什么时候(?:能)?到|还没到|到没到)|(?:我的)?工单号(?:是)?(?:多少|什么|几号)|"
    r"(?:^|[，,。.？?！!\s])(?:请问|那|那么|大概|大约|你们|人)?(?:今天|明天|后天)?(?:还要)?"
    r"(?:多久|多长时间|什么时候|啥时候|几点|哪天)(?:能|可以|会|才)?"
    r"(?:到|来|上门|过来|到家)(?:啊|呀|呢|吗|嘛|了)?[\s?？。.!！~～]*$|"
    r"what(?:'s| is) the status|any (?:update|news|progress)|ticket status|status of (?:my|the) (?:ticket|repair|request)|"
    r"(?:did|have|has) (?:the|my) (?:spare )?parts? (?:arrived?|come|came)|(?:are|is) (?:the|my) (?:spare )?parts? "
    r"(?:here|in)|what(?:'s| is) my (?:ticket|case|reference) (?:number|no\.?|id)|"
    r"where(?:'s| is) (?:my|the) (?:ticket|repair|request|technician|engineer|repairman)|"
    r"when (?:will|is|are|does|do) (?:(?:the|my|your|a) )?(?:technician|engineer|repairman|installer|someone|somebody|"
    r"anyone|they|you(?: guys)?) (?:come|coming|arrive|arriving|be here|get here|show up)|"
    r"how(?:'s| is) my (?:ticket|repair|request|refund|return|installation) (?:going|doing|coming along)|"
    r"what(?:'s| is) happening with my (?:ticket|repair|request|refund|return|installation|order)|"
    r"(?:has|have|is|was) my (?:refund|return|repair|request|ticket) (?:been )?(?:processed|approved|done|sorted|"
    r"handled|issued)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:你好|您好|哈喽|嗨|hi|hello|hey|在吗|在不在|有人吗|在|亲|早上好|上午好|下午好|晚上好|早|客服|老板|喂|"
    r"[,，!.。~ ?？呀啊呢哈])+$",
    re.IGNORECASE,
)
_THANKS = quick(r"谢|感谢|多谢|辛苦|麻烦你|麻烦了|thank|thx|好的|好滴|好哒|收到|知道了|明白|ok|没事了|不客气",
                re.IGNORECASE)
_GRATITUDE = quick(r"谢|感谢|辛苦|thank|thx|ty\b|🙏|\[(?:抱拳|合十)\]", re.IGNORECASE)
_APPROVAL = re.compile(r"[👍👌🙏✅🆗💯🤝😊😄😁☺🌹💐❤]|\[(?:强|OK|抱拳|合十|握手|好的|微笑|愉快|憨笑|呲牙|玫瑰|爱心|鼓掌|胜利)\]"
                       r"|/:(?:strong|ok)\b", re.IGNORECASE)


_ANGRY_EMOJI, _ANGRY_STICKERS = "😡😠🤬💢🖕", "发怒|抓狂"
_FURY = re.compile(rf"[{_ANGRY_EMOJI}]|👊{{2,}}|\[(?:{_ANGRY_STICKERS})\]")
_UPSET = re.compile(rf"[{_ANGRY_EMOJI}😤👎😒🙄😞😔😟😢😭😩😫😣😖☹🙁]|\[(?:{_ANGRY_STICKERS}|大哭|流泪|难过|委屈|撇嘴|衰|鄙视|"
                    r"白眼|快哭了|生气|晕)\]")


def upset(text: str) -> bool:
    """Whether emoji or stickers show the customer unhappy ("😭", "👎", WeChat's "[流泪]"), which the sentiment model
    never sees: normalizing drops them."""
    return bool(_UPSET.search(text))


def furious(text: str) -> bool:
    """Whether emoji or stickers show anger ("😡", "🤬", "[发怒]"): an angry customer, as angry words would."""
    return bool(_FURY.search(text))


_RECEIVED = quick(r"收到|到了|签收|拿到|取到|送到|已到|arrived|received|got (?:it|the)", re.IGNORECASE)
_TROUBLE = quick(r"不(?!错)|没|坏|破|漏|(?<!不)错|少|缺|烂|凹|裂|划|脏|掉|碎|湿|臭|霉|味|瑕疵|变形|过期|次品|质量|问题|退|换|"
                 r"洞|胶|开线|断|歪|松(?:了|动|脱)|卡(?:住|顿|了|死)|异响|色差|褪色|起球|发黄|污|渍|锈|旧的|二手|假货|偏?[大小]了?$|"
                 r"有(?:个|一个|一股|一块|一道|一条|几个|好几|好多|点)|"
                 r"但|可是|不过|却|就是|只|怎么|吗|么|呢|啥|什么|哪|区别|补偿|赔|[?？]|"
                 r"but|not|n't|broken|damaged|missing|wrong|only", re.IGNORECASE)
_CLAUSES = re.compile(r"[，,。.！!~～；;]+")


_SPEEDY = re.compile(r"(?:还|也)?(?:挺|很|真|好|蛮|超|特别|比想象的)快(?:的|啊|呀|哦)?"
                     r"|(?:pretty |really |very )?(?:fast|quick)(?: delivery)?", re.IGNORECASE)
"""A clause glad it came fast ("还挺快的"): said after "收到了", no delivery problem."""


def received_only(text: str) -> bool:
    """Whether the message only confirms that something arrived ("快递到了", "面包收到了", "东西收到了，谢谢"): an
    acknowledgement, not a delivery problem to file. Its first clause says what arrived, with no word of anything
    wrong, missing or asked; any other clause is thanks ("收到了，但是外壳凹进去一块" is a problem)."""
    if len(text) > 20:
        return False
    first, *rest = [c for c in _CLAUSES.split(text.strip()) if c] or [""]
    return bool(_RECEIVED.search(first)) and not _TROUBLE.search(text) and all(
        pleasantry(c) or _SPEEDY.fullmatch(c) for c in rest)


_PRAISE = quick(r"表扬|点赞|好评|赞一个|给力|专业|到位|负责|耐心|准时|细心|热情|周到|满意|靠谱|手艺|"
                r"(?:服务|态度|师傅|客服)(?:很|非常|特别|真|挺|超)?(?:好|棒|不错)|"
                r"great|excellent|professional|awesome|amazing|well done|good job|helpful|friendly", re.IGNORECASE)
_GRUDGING = quick(r"差|慢|贵|投诉|呵呵|还是|又|迟到|晚了|slow|late|however|rude", re.IGNORECASE)


_INCENTIVE = quick(r"返|奖励|有奖|有礼|礼品|活动|红包|送")
"""What a good review earns ("好评返现吗", "好评返奖励码"): asked about, it is a question, not praise."""


def praising(text: str) -> bool:
    """Whether the message only praises the service ("师傅很负责，点赞", "我要表扬你们的师傅", "the technician was
    great"): thanks to answer, not a complaint to file, though the type model reads talk of 师傅 and 态度 as one.
    A word of anything wrong or asked ("师傅态度很好，但是收费太贵了", "专业吗") and it is not."""
    return (len(text) <= 60 and bool(_PRAISE.search(text)) and not _TROUBLE.search(text)
            and not _GRUDGING.search(text) and not _INCENTIVE.search(text))


def approving(text: str) -> bool:
    """Whether a message with no words in it (normalizing drops emoji and stickers) says yes or thanks with them:
    "👍", "🙏", WeChat's "[强]" — answered as an acknowledgement, not with the opening greeting."""
    return bool(_APPROVAL.search(text))


def gratitude(text: str) -> bool:
    """Whether a thanks-or-acknowledgement message thanks ("谢谢") rather than only acknowledges ("收到", "好的")."""
    return bool(_GRATITUDE.search(text))


_ENGLISH_GREETINGS = (r"\b(?:good\s+)?(?:morning|afternoon|evening)\b|\bhow\s+are\s+you(?:\s+doing)?(?:\s+today)?\b"
                      r"|\bhow'?s\s+it\s+going\b|\bhope\s+you(?:'re|\s+are)?\s+(?:well|good|ok|doing\s+well)\b")
_ENGLISH_WISHES = (r"\bhave\s+an?\s+(?:nice|good|great|lovely|wonderful)\s+(?:day|weekend|evening|night|one|holiday)\b"
                   r"|\bhappy\s+(?:new\s+year|holidays)\b|\bmerry\s+christmas\b")
_ENGLISH_COURTESIES = (
    r"\bno\s+(?:worries|problem|probs)\b|\ball\s+good\b|\btake\s+care\b|\bgood-?bye\b|\bbye(?:-bye)?\b"
    r"|\bsee\s+you(?:\s+(?:later|soon))?\b|\bcheers\b|\byou\s+too\b|\bsame\s+to\s+you\b|\byou'?re\s+welcome\b"
    r"|\bsounds\s+good\b|\b(?:great|perfect|awesome|cool|nice|lovely|brilliant|excellent|noted|understood|alright)\b"
    r"|\ball\s+right\b"
    r"|\bgot\s+it\b|\b(?:much\s+)?appreciated?(?:\s+it)?\b")
"""Greetings, wishes and courtesies in English ("morning! hope you are well", "have a nice day", "no worries"): the
type model, trained on few English words, read them as repairs and invoices."""
_ENGLISH_GREETING = re.compile(rf"\b(?:hi|hello|hey)\b|{_ENGLISH_GREETINGS}|{_ENGLISH_WISHES}", re.IGNORECASE)
_LATIN_ONLY = re.compile(r"^[\x00-\x7f\u2018\u2019]*$")


def english_pleasantry(text: str) -> str | None:
    """GREETING or THANKS for an English message that says nothing but greetings, wishes and courtesies (a hello,
    "how are you", "have a nice day", as "周末愉快" is a greeting; "no worries", "cheers", "bye"), None for any
    other."""
    if not _LATIN_ONLY.match(text) or not pleasantry(text):
        return None
    return u.GREETING if _ENGLISH_GREETING.search(text) and not _GRATITUDE.search(text) else u.THANKS


_PLEASANTRY_WORDS = quick(
    r"你好|您好|哈喽|嗨|hi|hello|hey|在吗|在不在|有人吗|亲|早上好|上午好|下午好|晚上好|客服|老板|师傅|喂|"
    r"谢谢?|感谢|多谢|辛苦(?:了|啦)?|麻烦(?:你|您)?了|thanks?(?: you)?|thx|好的|好滴|好哒|收到|知道了|明白了?|ok|okay|"
    r"没事了|不客气|是的?|对的?|没错|行|可以|好|yes|yep|sure|嗯+|哦+|噢+|哈+|呵+|[呀啊呢哈吧啦嘛]|"
    rf"{_ENGLISH_GREETINGS}|{_ENGLISH_WISHES}|{_ENGLISH_COURTESIES}",
    re.IGNORECASE,
)


_HOLDING_WORDS = quick(
    r"(?:稍等|稍后|等(?:一|1)?(?:下|会儿?)|等等|等我|马上|立刻|一会儿?|待会儿?|回头)(?:一下|下)?"
    r"(?:就)?(?:发|给)?(?:给)?(?:你|您)?|"
    r"(?:我|我去)?(?:找|查|翻|看|问)(?:一下|下|找|查|翻|看|问)(?:我的)?(?:订单号|单号|快递单号|电话|地址|序列号|发票)?|"
    r"[\d一二两三四五六七八九十几半]+(?:分钟|秒钟?)|"
    r"hold on|one (?:moment|sec(?:ond)?|minute)|just a (?:sec(?:ond)?|moment|minute)|"
    r"wait a (?:sec(?:ond)?|moment|minute)|"
    r"(?:let me (?:check|look|find)|(?:i'?m )?(?:looking|searching) for)(?: for)?"
    r"(?: it| the (?:order |serial |phone |tracking )?(?:number|address|receipt|invoice))?",
    re.IGNORECASE,
)


def holding_on(text: str) -> bool:
    """Whether the customer only asks to wait while they find what was asked for ("稍等", "等我找一下", "3分钟",
    "hold on"): nothing to add to the ticket, and no reason to apologise."""
    return bool(_HOLDING_WORDS.search(text)) and pleasantry(_HOLDING_WORDS.sub("", text))


def pleasantry(text: str) -> bool:
    """Whether the message says nothing but a greeting, thanks or acknowledgement ("你好", "谢谢", "好的", "嗯嗯")
    or nothing in words at all (emoji, a sticker, punctuation). What a customer asked to describe a problem says
    around the description — but a short description ("不制冷", "没反应") is none of these, whatever the type
    model makes of it. A WeChat sticker ("[微笑]") is no words either."""
    return not re.search(r"[^\W_]", _PLEASANTRY_WORDS.sub("", STICKERS.sub("", text)))


_QUESTION = re.compile(
    r"^(?:请问|问一?下|咨询一?下|想问)?.{0,12}(?:怎么|如何|怎样|能不能|可不可以|可以|是否|支持|多久|多长时间|多少|收费|"
    r"要不要|需不需要?|用不用|是不是|会不会|有没有|包不包|送不送|收不收|算不算|"
    r"要钱|哪里|什么|几年|几天|几个月|几次|几点|谁(?:来)?(?:出|付|承担|负责|掏|报销)|由谁)"
    r"|[吗嘛么呢?？][\s,，]*(?:还是[^。!！?？]{0,12})?$"
    r"|^(?:(?:hi|hello|hey)[\s,!]+)?(?:how (?:do|can|should|long|much|often|many)|how to|what (?:does|do|is|are|should)"
    r"|where (?:do|can|is|are)|when (?:will|do|does|can|should)|can i|could i|do you|should i|is (?:it|there|this)"
    r"|are (?:there|you))\b(?!.*\b(?:broken|leak\w*|won'?t|doesn'?t work|not working|stopped|error|noise|smell\w*)\b)",
    re.IGNORECASE,
)
_CONSULTING = re.compile(r"(?:咨询|想了解|了解一下|想问|问一?下).{0,30}(?:怎么|如何|能不能|可不可以|可以|是否|支持|多久|多少|收费|哪|什么|几|"
                         r"有没有|[吗嘛么呢?？])"
                         r"|\b(?:i'?d like to|i want to|i wanted to|just wanted to) (?:ask|know|check|find out)\b"
                         r".{0,60}\b(?:whether|if|how|what|when|do|does|can|is|are)\b|\bquick question\b",
                         re.IGNORECASE)
"""Saying one is asking ("我想咨询一下你们的扫地机器人有没有上门安装", "我想问下热水器能不能装在阳台"): a question,
however much 我 it has."""
_OWN_PROBLEM = re.compile(r"我|帮|给我|麻烦|请|预约|约|派|坏|(?<!能)不能|不了|(?<!有)没有?|还没|漏|响|故障|催|已经|刚|"
                          r"(?:要|需要|想)(?:安装|装机|上门|维修|修理|退货|换货)(?!.{0,4}[吗么嘛][\s?？]*$)")
_FILLER = re.compile(r"[\s,，.。:：;；!！?？、~\-()（）]|电话|手机|号码|地址|时间|联系人?|是|在|的|我|家|这|我的|可以|都|有人"
                     r"|税号|抬头|邮箱|tax\s*id|e-?mail", re.IGNORECASE)

_BARE_REQUEST = re.compile(
    r"^(?:(?:你好|您好|在吗|请问|麻烦(?:你|您)?|帮我|帮忙|给我|我想|我要|想|要|我要求|要求|需要|我需要|我想要|申请|可以|能)"
    r"[,，?？\s]*)*"
    r"(?P<asked>(?:(?:报修|保修|维修|修理|修一下|上门维修|退货|退换货|换货|换新|换机|换一?[台个]新的|退款|安装|预约安装|上门安装|保养|清洗|"
    r"开发票|开票|要发票|补开发票|发票|投诉|售后|售后服务)(?:一下|服务|申请)?[和、/\s]?)+)[\s,，.。!！~～?？啊呀吧呢哦嘛]*$"
    r"|^(?:hi|hello)?[\s,]*(?:i (?:want|need|would like|'d like) (?:to )?(?:make |file |get |have )?(?:a |an )?)?"
    r"(?:repair|return|refund|installation|install|complaint|complain|invoice|service)[\s.!?]*(?:please)?[\s.!?]*$",
    re.IGNORECASE,
)


def bare_request(text: str) -> bool:
    """Whether `text` only asks for a kind of help ("报修", "我要退货", "预约安装", "repair please") without saying
    for what: the customer is asked what is wrong before a ticket is opened."""
    return bool(_BARE_REQUEST.match(text.strip()))


_OUT_OF_ORDER = r"坏了|坏掉了|出问题了|有问题|有毛病了?|出毛病了|不能用了|用不了了?|不好使了|不工作了|没反应了?"
"""The ways of saying something is out of order without saying what is wrong with it."""
_BARE_FAULT = re.compile(
    rf"^(?:我的|我家的?|东西|机器|这个|那个|它|产品)?(?:又|也)?(?:{_OUT_OF_ORDER})[\s,，.。!！~～?？啊呀吧呢哦了]*$"
    r"|^(?:it'?s |it is |mine is )?(?:broken|not working|faulty|dead)[\s.!?]*$"
    r"|^(?:it )?(?:does ?n[o']t|does not|wo ?n[o']t) work(?:ing)?[\s.!?]*$|^(?:it )?stopped working[\s.!?]*$",
    re.IGNORECASE,
)


def bare_fault(text: str) -> bool:
    """Whether `text` only says something is out of order, not what ("坏了", "出问题了", "it's broken"): a ticket
    opened from it would tell a technician nothing, so the product and the problem are asked first."""
    return bool(_BARE_FAULT.match(text.strip()))


_FEELINGS = r"烦|生气|气人|失望|无语|郁闷|恶心|难受|伤心|崩溃|过分|离谱|醉|服|心累|糟心|闹心|火大"
_BARE_FEELING = re.compile(
    r"^(?:我|真的?|真是|简直|实在|也是|都|又)*(?:太|好|很|超|非常|特别|快|要)?(?:被)?"
    rf"(?:{_FEELINGS})(?:死|透|坏|炸)?(?:我|人)?(?:了|啊|呀|吧|啦|哦|呢|你们)*[\s,，.。!！~～…?？]*$"
    r"|^气死(?:我|人)了?[\s,，.。!！~～…?？]*$"
    r"|^(?:this is |that'?s |so )?(?:annoying|frustrating|ridiculous|unbelievable|a joke)[\s.!?]*$"
    r"|^(?:i'?m |i am )(?:so |really |very )?(?:angry|upset|annoyed|fed up|disappointed)[\s.!?]*$",
    re.IGNORECASE,
)


def bare_feeling(text: str) -> bool:
    """Whether `text` only voices displeasure ("烦死了", "气死我了", "无语", "I'm so annoyed"), not at what: the
    customer is asked what happened before a complaint is opened, as after "我要投诉", since a ticket of "烦死了"
    tells staff nothing."""
    return bool(_BARE_FEELING.match(text.strip()))


_REMEDY = re.compile(r"退|换|return|refund", re.IGNORECASE)


def remedy_asked(text: str) -> bool:
    """Whether `text` only asks for a remedy ("我要退货", "要求换新", "refund please"): said while a ticket is open, it
    is what the customer wants done about that ticket's matter, not a new request to ask about."""
    asked = help_asked(text)
    return asked is not None and bool(_REMEDY.search(asked))


_COMPLAINT = re.compile(r"投诉|complain", re.IGNORECASE)


def complaint_asked(text: str) -> bool:
    """Whether `text` only asks to complain ("我要投诉", "I want to make a complaint"): said while a ticket is open,
    the complaint is about that ticket's matter, which the customer has told already."""
    asked = help_asked(text)
    return asked is not None and bool(_COMPLAINT.search(asked))


def help_asked(text: str) -> str | None:
    """The kind of help a bare request names, without the words that lead it ("要求换新" → "换新"): what to type it
    by."""
    found = _BARE_REQUEST.match(text.strip())
    return (found.group("asked") or found.group(0)) if found else None


_CHASING = quick(
    r"催(?:一下|一催|单|促|办)|帮我催|(?:怎么|为什么|为啥|咋)(?:还|都)?(?:是)?(?:不|没)(?:有)?人?(?:派|来|到|上门|处理|安排|联系|回复|"
    r"回电话|打电话|给我打电话|发货|修|管|开|退|寄|审核|到账)|还(?:是)?没(?:有)?人?(?:来|到|上门|联系|处理|安排|回复|打电话|派)|"
    r"等了(?:很久|好久|半天|一上午|一下午|一整天|一天|好几天|几天|[0-9一二两三四五六七八九十]+(?:天|个?小时|个?钟头|周|个星期))|"
    r"到底(?:什么时候|啥时候|还要(?:等)?多久)|(?:再|还)不(?:派人|处理|安排|解决|回复|上门|来|管|修)|管不管|(?:有没有|没)人管|"
    r"(?:到现在|至今|到这会儿?)(?:都|也|还)?(?:没|不见)(?:有)?人?(?:来|到|上门|联系|回复|动静|影子?)|人呢[\s!！?？。.~～]*$|"
    r"人影(?:都|也)?(?:没|不见)|师傅.{0,6}(?:没来|没到|没上门|没有来|没有到)|"
    r"(?:能不能|可不可以|麻烦|请)?快(?:点|一点|些)(?:派|来|处理|安排|上门)|"
    r"^(?:能不能|可不可以|可以|能|麻烦|请|帮我|帮忙)?(?:给我)?(?:加急|加个急)(?:处理)?(?:一下)?"
    r"(?:吧|啊|呀|吗|嘛|好吗|行吗|可以吗)?[\s!！。.~～?？]*$|"
    r"^(?:能不能|可不可以|可以|能|麻烦|请|你们|师傅)?(?:快|尽快|赶紧)(?:点|一点|些)?(?:处理|安排)?"
    r"(?:吧|啊|呀|吗|嘛|好吗|行吗|可以吗|好不好)?[\s!！。.~～?？]*$|"
    r"^(?:能不能|可不可以|麻烦|请|你们)?(?:快|尽快|赶紧)(?:点|一点|些)(?:处理|安排)?(?:吧|啊|呀|吗|嘛|好吗|行吗|好不好)?[,，!！]|"
    r"\bhurry\b|still waiting|(?:nobody|no one|no-one) (?:has )?(?:come|came|called|contacted|answered|shown up)|"
    r"(?:technician|engineer|installer|repairman|he|she|they|someone)\s+(?:never|didn'?t|did not|hasn'?t|has not|"
    r"haven'?t|have not)\s+(?:yet\s+)?(?:show(?:ed|n)? up|come|came|arrived|turned up)|"
    r"how (?:much )?longer",
    re.IGNORECASE,
)


_COMPLAINING = re.compile(r"投诉|举报|12315|complain", re.IGNORECASE)
_THREATENING = re.compile(r"(?:再|还|要是|如果)不.{0,10}?就.{0,6}(?:投诉|举报|12315)")


_CONTINUING = re.compile(r"^(?:好的?|行|嗯+|哦+|ok)?[，,\s]*那(?![个些里边])", re.IGNORECASE)


def continuing(text: str) -> bool:
    """Whether `text` goes on from the answer before it ("那帮我寄一个吧", "好的，那就换一个"): said after a question
    was put on a ticket, it asks for what was asked about, on that ticket."""
    return bool(_CONTINUING.match(text))


_ALONG = re.compile(r"顺便|顺带|顺道|一并|一块儿?(?:帮|给)|while (?:you'?re|he'?s|she'?s|they'?re|the technician is) "
                    r"(?:here|there|at it)|at the same (?:time|visit)", re.IGNORECASE)


def along_with(text: str) -> bool:
    """Whether `text` asks for something to be done on the same visit ("能顺便帮我清洗一下吗", "while he's here,
    can he check the filter?"): more work for the open job, for staff to agree and price, not a job of its own."""
    return bool(_ALONG.search(text))


def chasing(text: str) -> bool:
    """Whether `text` chases help already asked for (催单): "怎么还没人联系我", "等了一上午了", "能不能快点" — the
    customer's open ticket is what it is about, when they have one. One that complains ("我要投诉！已经等了一个星期
    了") is a complaint to file unless only threatened ("再不处理我就投诉"), and one naming a product ("冰箱坏了三天了
    怎么还没人来修") the problem it tells of: it may be a new one, which a chase would lose."""
    return bool(_CHASING.search(text)) and (not _COMPLAINING.search(text) or threatening(text))


_REPORTED_ELSEWHERE = quick(
    r"(?:电话|打电话|热线|客服电话|400|app|小程序|公众号|官网|网上|门店|店里|线下)(?:上|里)?(?:报修|报的|报过|申请的|申请过|登记的|"
    r"登记过|反映过|下的单)|(?:之前|上次|前几天|昨天|前天|已经)(?:打电话)?(?:报修过|报过修|报过|登记过|申请过)|"
    r"(?:之前|上次|前几天|昨天|前天|上周|早上|上午|下午|刚才)(?:就)?(?:已经)?(?:报修|报的修|申请|登记)的|"
    r"(?:reported|booked|called) (?:it )?(?:by phone|on the phone|in the app|before|already)",
    re.IGNORECASE,
)


_VISIT_CHASED = re.compile(r"师傅|上门|人呢|人影|技术员|维修员|安装工|the technician|nobody came", re.IGNORECASE)
_VISIT_TYPES = frozenset({"repair", "installation", "maintenance", "complaint"})


def chased_visit_type(text: str, ticket_type: str) -> str:
    """The type of a chase of a visit ("师傅说今天来，到现在都没来") filed because no ticket of the thread was found:
    a technician who did not come is a complaint for staff to follow up, not the delivery or order matter a model
    may read into "今天来…没来"; a chase of anything else, or of a visit the model typed as one, keeps its type."""
    if ticket_type in _VISIT_TYPES or not _VISIT_CHASED.search(text):
        return ticket_type
    return "complaint"


def reported_elsewhere(text: str) -> bool:
    """Whether the customer says they reported it before or elsewhere ("我是电话报修的", "之前已经报过修"): the ticket
    to find is one this thread may not know, not a new problem."""
    return bool(_REPORTED_ELSEWHERE.search(text))


_ASKS_IF_BOT = quick(r"(?:你|您|客服)(?:们)?(?:这个|这边)?(?:客服)?(?:是不是|是|就是)?(?:个)?(?:机器人|自动回复|人工智能|ai|智能客服)|"
                     r"\bare (?:you|u) (?:a |an )?(?:bot|robot|ai|machine)\b", re.IGNORECASE)


def asks_if_bot(text: str) -> bool:
    """Whether the customer asks if they are talking to a machine ("你们这个客服是机器人吧", "are you a bot?"): told
    so, with the way to a person, not filed as a complaint about the service."""
    return bool(_ASKS_IF_BOT.search(text))


_WARRANTY = re.compile(r"保修|质保|保固|在保|过保|保内|保外|warranty|guarantee", re.IGNORECASE)


def about_warranty(text: str) -> bool:
    """Whether a question is about the warranty ("这台还在保修期吗", "过保了吗", "is it still under warranty?"):
    asked of a unit the hub knows, that unit's own warranty answers it rather than the general policy."""
    return bool(_WARRANTY.search(text))


def threatening(text: str) -> bool:
    """Whether `text` threatens a complaint if nothing happens ("再不处理我就投诉到12315")."""
    return bool(_THREATENING.search(text))


_AROUND_A_PRODUCT = re.compile(r"[\s,，.。:：!！?？~～、…]|你好|您好|在吗|请问|咨询|售后|我的|我家|家里|家中|那个|"
                               r"这个|这台|那台|一台|的|了|啊|呀|呢|吧|哦|嗯")


def bare_product(text: str) -> bool:
    """Whether `text` only names a product ("空调", "我家的冰箱"): what is wrong with it is still to be asked, and no
    type can be told from it."""
    spans = product_mentions(text)
    if not spans:
        return False
    rest, last = [], 0
    for start, end in spans:
        rest.append(text[last:start])
        last = end
    rest.append(text[last:])
    return not _AROUND_A_PRODUCT.sub("", "".join(rest))


_FAULT_TOLD = re.compile(rf"{_OUT_OF_ORDER}|(?:\b(?:is|are)\s+|'s\s+|\b)(?:broken|not working|faulty|dead|broke down|"
                         r"stopped working|does ?n[o']t work|does not work|wo ?n[o']t work)\b", re.IGNORECASE)
_AROUND_A_FAULT = re.compile(r"[\W_]|又|也|突然|\b(?:my|our|the|it|again)\b", re.IGNORECASE)


def vague_fault(text: str) -> str | None:
    """The product `text` names, as written, when all it says is that the product is out of order ("我家洗衣机坏了😭",
    "空调出问题了", "my dishwasher is broken") or names it alone; None when it says what is wrong, or names no product
    or several. A ticket summed up so tells staff nothing of the problem."""
    spans = product_mentions(text)
    if len(spans) != 1:
        return None
    start, end = spans[0]
    rest = _FAULT_TOLD.sub(" ", STICKERS.sub("", f"{text[:start]} {text[end:]}"))
    return None if _AROUND_A_PRODUCT.sub("", _AROUND_A_FAULT.sub("", rest)) else text[start:end]


_RESCHEDULE = quick(r"改(?:到|成|在|约|一下时间|时间|个时间|天)|换(?:到|成|个时间|个日子|一天)|推迟|延后|延期|提前|往后推|"
                    r"挪到|没空|没时间|不在家|来不了|有事|不方便|reschedule|move (?:it|the visit)|can'?t make it|"
                    r"not (?:be )?(?:at )?home", re.IGNORECASE)


_DETAIL_FIELDS = {"phone": "phones", "address": "addresses", "serial": "serial_numbers", "time": "times",
                  "title": "invoice_titles", "tax_id": "tax_ids"}


_CHOSEN = re.compile(
    r"还是|那就|那|就|吧|呢|啊|哦|嗯|好了|好吧|行|不好意思|抱歉|改回|改成|改到|换成|定在|约在|以后|之后|以前|之前|有空|有时间|"
    r"随时|没问题|再说|再约|再安排|再?(?:来|过来|上门)(?:修|装|安装|看看?|处理)?"
    r"|\b(?:(?:that |it )?(?:works?|suits?)(?: (?:for|with) (?:me|us))?"
    r"|(?:is|are|'s|would be) (?:fine|good|ok|okay|best|great|perfect)"
    r"|fine|good|ok|okay|sure|please|then|any ?time|let'?s (?:do|say|make it)|how about|maybe|preferably|ideally|"
    r"if (?:possible|you can|that'?s (?:ok|okay|fine|possible)|convenient)|"
    r"(?:i'?m|we'?re|i am|we are|someone is) (?:free|home|available|in|around))\b",
    re.IGNORECASE)
"""The words around a time that only choose it ("不好意思，还是周六吧", "tomorrow morning works"), as filler around a
detail is."""


def _carries_only_details(text: str, entities: Entities) -> bool:
    """True when removing the entities leaves (almost) nothing: the message is a phone, an address, a time…"""
    rest = text
    spans = [*entities.phones, *entities.order_numbers, *entities.serial_numbers, *entities.ticket_ids,
             *(a.text for a in entities.addresses), *(t.text for t in entities.times), *entities.invoice_titles,
             *entities.tax_ids, *entities.emails]
    if not spans:
        return False
    for span in sorted(spans, key=len, reverse=True):
        rest = rest.replace(span, "")
    for raw in re.findall(r"1[3-9]\d[- ]?\d{4}[- ]?\d{4}", rest):
        rest = rest.replace(raw, "")
    # A day alone is a detail only when little else is said: "周六上午吧", "那就周六下午", "还是周六吧" are,
    # "周末愉快" is a wish.
    only_times = len(spans) == len(entities.times)
    if only_times:
        return len(_FILLER.sub("", _CHOSEN.sub("", without_times(rest)))) <= 1
    return len(_FILLER.sub("", rest)) <= 4


_HEARD_THEN_ASKED = re.compile(r"^(?:好的?|嗯+|哦+|行|知道了|明白了?|收到|ok|okay|got it)[,，.。!！~～\s]+(?:那|那么|请问|so|then)?"
                               r".{0,12}(?:几点|几号|哪天|什么时候|多久|多长时间|怎么|如何|哪|多少|什么|"
                               r"when|what time|how long|how much|where)", re.IGNORECASE)
"""A question after a word that says the last message was heard ("好的，明天几点来取", "ok, what time tomorrow?"):
a question for staff or the knowledge base, not thanks (and the time it names is no detail given)."""


def free_text_intent(text: str, ticket_type: str, entities: Entities, expecting: str | None) -> str:
    """What normalized `text`, of type `ticket_type` and with `entities` (those found in `text`), asks for."""
    if _HUMAN.search(text):
        return u.HUMAN
    if asks_if_bot(text):
        return u.GREETING
    if _CANCEL.search(text) or _BARE_CANCEL.match(text) or (entities.ticket_ids and _CANCEL_WORD.search(text)):
        return u.CANCEL
    if _NOT_FIXED.search(text):
        return u.NOT_FIXED
    if _STATUS.search(text) or (entities.ticket_ids and (_PROGRESS.search(text) or len(text) <= 30
                                                         and ticket_type in ("other", "inquiry"))):
        return u.STATUS_QUERY
    # A visit moved ("后天有事，改到周日上午吧") while a phone or an address is awaited too; the answer to "when?" is a time.
    if expecting != "time" and entities.times and not entities.products and _RESCHEDULE.search(text):
        return u.APPOINT
    if (entities.phones or entities.addresses) and not entities.products and corrects_detail(text):
        return u.ADD_DETAIL  # "电话写错了，是…": for the ticket it corrects, not an order to change
    field = _DETAIL_FIELDS.get(expecting or "")
    if (field and getattr(entities, field) or expecting == "phone" and number_tried(text)
            or expecting == "address" and same_as_before(text)):
        return u.ADD_DETAIL
    if not entities.products and (chasing(text) or reported_elsewhere(text)):
        return u.STATUS_QUERY
    if _carries_only_details(text, entities):
        return u.ADD_DETAIL
    if expecting == "detail" and ticket_type != "other" and not _asks(text, ticket_type):
        return u.ADD_DETAIL
    if entities.products and bare_product(text):  # `entities` are `text`'s: without products, no product mention
        return u.NEW_PROBLEM
    if received_only(text) or praising(text):
        return u.THANKS
    if ticket_type == "other" and (entities.phones or entities.addresses):
        return u.ADD_DETAIL  # "come tomorrow afternoon, 88 Jianguo Road…, phone 139…" is no hello
    if _SHOW_ME.search(text):
        return u.KB_QUESTION
    if _HEARD_THEN_ASKED.match(text):
        return u.KB_QUESTION
    if ticket_type == "other" or _GREETING.match(text):
        if _GREETING.match(text):
            return u.GREETING
        return u.THANKS if _THANKS.search(text) else u.GREETING
    if _asks(text, ticket_type):
        return u.KB_QUESTION
    return u.NEW_PROBLEM


_COMPANY = r"(?:你们|贵司|贵公司|厂家|官方)"
_TO_THE_COMPANY = quick(rf"{_COMPANY}.{{0,14}}(?:吗|么|嘛|没有|不)[\s?？。.~～]*$|"
                        rf"{_COMPANY}(?:能不能|可不可以|会不会|有没有|是不是|支不支持|管不管)|"
                        r"\b(?:do|does|can|will|could|are) (?:you|your)\b.*\?\s*$", re.IGNORECASE)


def asks_the_company(text: str) -> bool:
    """A question put to the company about what it does ("你们能上门吗", "贵司支持以旧换新吗", "do you serve rural
    areas?"): asked calmly it is an inquiry, however much 你们 makes the type model think of a complaint."""
    return bool(_TO_THE_COMPANY.search(text))


_HOURS = quick(r"上班|下班|营业|休息|周末|节假日|假期|几点|open(?:ing)? (?:hours|on)|business hours|what time do you|"
              r"(?:work|open) (?:on |at )?(?:the )?(?:weekends?|sundays?|saturdays?|(?:public )?holidays?|nights?)",
              re.IGNORECASE)


def asks_service_hours(text: str) -> bool:
    """A question to the company about when it works ("你们周末上班吗", "do you work on weekends?"): an inquiry, though
    "work" and 上门 make the type model think of a job to book."""
    return asks_the_company(text) and bool(_HOURS.search(text))


_WHETHER_TO_BOOK = re.compile(r"(?:要|需要|用|得)(?:提前)?(?:预约|约)(?:一下)?(?:吗|么|嘛)")
"""Whether a booking is needed ("上门服务要预约吗"): a question about how the service works, not a booking."""


_WHETHER_FAIR = re.compile(r"(?:合理|正常|应该的?|合法|规定的?|对)(?:吗|么|嘛)[\s?？。.~～]*$|"
                           r"(?:收|要|付)(?:费|钱)(?:吗|么|嘛)[\s?？。.~～]*$")
"""Whether what happened is fair or as it should be ("师傅说要另外收50块材料费，这个合理吗？"): a question about the
rules, however much 我 tells of the customer's own case, not a request for the service it names."""
_INFORMATION = r"(?:标准|价目表?|价格表?|收费|明细|说明书?|政策|规定|流程|清单)"
_SHOW_ME = re.compile(rf"{_INFORMATION}.{{0,6}}(?:发|给)(?:我|一下|我一下)?(?:看看|看一下|瞧瞧|参考一下)|"
                      rf"(?:发|给)我?(?:看看|看一下).{{0,4}}{_INFORMATION}")
"""Asking to be shown the rules or prices ("你们的收费标准发我看看"): a question for the knowledge base."""


def asks_something(text: str) -> bool:
    """Whether `text` is put as a question ("你们几点下班", "周末上班吗", "what are your hours?"): read as chit-chat, it
    may still be one the knowledge base answers."""
    return bool(_QUESTION.search(text.strip()))


def _asks(text: str, ticket_type: str) -> bool:
    """A question for the knowledge base ("退款什么时候到", "保修期多久"), not a problem told: also while an order
    number is awaited, when the answer to a question is what the customer wants first."""
    return ticket_type == "inquiry" or bool(_SHOW_ME.search(text)) or bool(_QUESTION.search(text) and (
        _WHETHER_TO_BOOK.search(text) or _WHETHER_FAIR.search(text) or not _OWN_PROBLEM.search(text))) or bool(
        _CONSULTING.search(text))
