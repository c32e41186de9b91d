"""Priority (P1–P4) from the words customers use for danger and urgency, and from how angry they are.

Rules, not a model: a missed gas smell is far costlier than an over-ranked ticket, and the lists are short and
auditable. Danger to people or property is P1; a disabling fault (leak, no power, production stopped) is P2, P1 when
old people or children are exposed or the customer says it is urgent; urgency and anger raise any other ticket one
level. Anger is a threat or insult (投诉, 12315, 垃圾) or a strongly negative sentiment (`nlp.sentiment`).
"""
from __future__ import annotations

import re

from .patterns import quick

_WATER = r"(?:漏水|渗水|进水|淹了|泡水|水漫|积水|满地.{0,3}水|喷水|water|flood|leak)"
_POWERED = r"(?:插座|插头|插排|电线|电源|配电箱|电闸|电表|线路|电路|带电|socket|outlet|wire|wiring|fuse ?box)"
HAZARDS: dict[str, re.Pattern[str]] = {
    # 漏气 only where gas is: a snack bag, a tyre or an air bed 漏气 too.
    "gas": quick(r"燃气味|煤气味|天然气味|液化气味|燃气泄漏|煤气泄漏|有气味.*燃气|"
                 r"(?:燃气|煤气|天然气|液化气|气罐|钢瓶|灶|热水器|壁挂炉|气管|阀门|厨房|家里).{0,8}漏气|"
                 r"gas leak|gas smell|(?:smell|smells|smelling|smelled|smelt)(?: like| of)? (?:natural )?gas\b|"
                 r"leaking gas", re.IGNORECASE),
    # A stove that will not light (打不着火, 点不着火, 没有火花) or a weak flame (火苗很小) is a fault, not a fire;
    # "气炸了" is anger.
    "fire": quick(r"冒烟|起火|(?<![打点])(?<!不)着火|失火|冒火|窜火|蹿火|爆炸|(?<!气)炸了|烧焦|焦糊味|糊味|焦味|"
                  r"\bsmok(?:e|es|ed|ing|y)\b|\bfire\b|\bflames?\b|burning (?:smell|plastic|rubber)|"
                  r"smells? (?:like )?(?:burning|burnt|burned)|\bscorch|\bmelt(?:ed|ing)\b", re.IGNORECASE),
    "electric": quick(r"漏电|触电|电到|麻手|手麻|(?<!没有)(?<![没不无])(?<!不出)火花|短路|electric shock|sparks?|sparking|"
                      r"short[- ]circuit|(?:gave|gives|giving) (?:me )?(?:a |an )?(?:electric )?shock",
                      re.IGNORECASE),
    "water_electric": quick(rf"{_WATER}.{{0,15}}{_POWERED}|{_POWERED}.{{0,15}}{_WATER}", re.IGNORECASE),
}
"""Danger to people or property, by kind: gas, fire or smoke, electricity, water reaching electricity. Each kind has
its own safety steps for the customer (templates `_safety`)."""
_SEVERE = quick(
    r"漏水|渗水|淹了|水漫|满地.{0,3}水|喷水|停产|停工|停业|生产线|断电|跳闸|没电|不通电|完全不能用|用不了|没法用|"
    r"没有?热水|不出热水|热水出不来|不制冷|不制热|暖气不热|地暖不热|冻得|冻死|热死|中暑|坏了.{0,6}(?:一屋|全部)|进不了家|"
    r"打不开门|leak|"
    r"(?:not|stopped|isn'?t|wasn'?t|won'?t|doesn'?t|no longer) (?:cooling|heating|cool|heat)|no hot water|no power|flood",
    re.IGNORECASE,
)
_VULNERABLE = re.compile(r"老人|老年人|爷爷|奶奶|姥姥|外婆|老妈|孩子|小孩|婴儿|宝宝|孕妇|怀孕|病人|瘫痪|坐月子|月子")
_URGENT = quick(r"急|马上|立刻|立即|赶紧|尽快|今天必须|等不了|十万火急|火速|asap|urgent|hurry", re.IGNORECASE)
_ANGRY = quick(
    # Threats and the authorities they name.
    r"投诉(?!建议|部门|渠道|流程|入口|方式)|12315|消协|消费者协会|找工商|工商局|告到|曝光(?!不|过度|补偿|时间|度|值|模式|准)|媒体|律师|起诉|法院|走法律|"
    r"法律(?:途径|手段|程序)|市长热线|黑猫|(?:打|拨|找|到|给)\D{0,2}12345(?!\d)|12345(?:热线|投诉)|"
    r"电视台|记者|市场监管|监管局|质监局|工信部|(?:打|找|告到|上)315|315晚会|(?:法庭|法院|监管局|消协|工商|12315)见|"
    r"(?<![没不别])(?:给|打|要|必须|写).{0,2}差评|差评.{0,4}(?:发|写|给|挂)(?:了|上了)|[一1]星差评|(?:要求|必须|要你们)赔偿|"
    # Insults and swearing; 滚 and 操 only as words of their own (滚筒 and 操作 are parts of appliances).
    r"垃圾(?!处理|桶|袋|分类|箱|篓|站|车|清理)|骗子|骗人|骗.{0,3}(?:钱|消费者)|坑人|太坑|坑爹|他妈|妈的|tmd|我操(?!作)|操你|操蛋|卧槽|滚蛋|滚开|给我滚|"
    r"你妈(?!妈)|尼玛|nmd|特么|我tm|tm(?:的|要|就)|(?<![a-z0-9/-])sb(?![a-z0-9/-])|傻[逼比叉]|煞笔|听不懂人话|长点心|装死|"
    r"做个人|是人吗|"
    r"(?<![^,.!?;\s])滚(?![^,.!?;\s])|恶心|有病[吧啊]|神经病|个屁|"
    # Exasperation with the service.
    r"太差|差劲|这么差|气死|受够|受不了|忍无可忍|忍.{0,3}(?:很久|够了)|无语|什么破|没完没了|(?:给|讨)(?:我|个|一个)*说法|"
    r"(?<!有点)(?<!一点)(?<!不)失望|(?:很|非常|特别|十分)不满|生气|愤怒|不负责|(?:有点|没有?|毫无)责任心|良心(?:不|何在|被)|没良心|耍我|(?<!舒)服了|没有?人(?:管|理)|人呢|"
    r"(?:找|叫).{0,3}(?:领导|经理|主管)|踢皮球|只要结果|后悔买|倒霉|八辈子霉|烦死|不想干了|再也不买|第几次了|每次都这样|"
    r"(?:说|道歉|抱歉).{0,4}有什么用|"
    # Promises broken again and again, contempt and sarcasm; characters shouted one by one ("退！钱！"), found from
    # the "！" so that the list's lookahead (`quick`) still skips every character no alternative starts with.
    r"爽约|放鸽子|(?:来|修|跑|约|说|问|催)了?(?:[三四五六七八九十几]|好几|多少|无数)(?:次|回|趟|遍)|第[三四五六七八九十几]+(?:次|遍|回)|"
    r"(?:一个多?月|半个月|几个月|一周|一个?星期|[一两三四五六七八九十几]+周)了?(?:都|还|也)没|"
    r"敷衍|摆设|逗我|看透|推三阻四|推来推去|离谱|坑死|什么态度|买罪受|别废话|废话少说|不想(?:再)?听.{0,3}解释|"
    r"你们(?:自己)?说怎么办|耽误了?我|气得|来气|气人|是人干的|根本不(?:理解|在乎|管|听)|是个?笑话|有完没完|"
    r"要你们(?:有)?(?:什么|何)用|你个头|搞什么(?:飞机|鬼|名堂)|扯淡|扯蛋|什么玩意|走过场|话术|还有脸|白(?:请|跑|等)|"
    r"能做主的|冤大头|等等等|等了又等|一问三不知|答非所问|"
    r"凭什么(?:[?？!！]|要我|让我|还要|收我|不给|不让|不退|不修|不换)|别逼我|耐心(?:是)?有限|从头到尾.{0,6}没一?个人|"
    r"三天两头|修一次坏一次|[八几]百遍|[一几]万遍|别再(?:跟我)?说|尽快尽快|花都谢了|八竿子打不着|(?<!空)气炸|会谢(?!谢)|栓q|"
    r"这就是你们的|心灵感应|连个(?:电话|回电|回复|回音|人影|人|消息|解释|说法|答复)都没|"
    r"(?<![a-z0-9/-])(?:cnm|wcnm|rnm|nmsl|mlgb|nmb)(?![a-z0-9/-])|草泥马|狗屁(?!股)|当我(?:是)?(?:傻|白痴|瞎|三岁|冤大头)|"
    r"实习生吗|临时工吗|复制粘贴|文字游戏|道歉(?:模板|有用)|不是道歉|耐心(?:已经|早就|早)?(?:用完|耗尽|耗光|没了)|一百遍|"
    r"(?<!不)拉黑|这辈子(?:都)?不(?:会)?再?买|再也不(?:会)?(?:买|用|选|推荐)|(?:劝|让).{0,6}别买|开了眼|佩服佩服|"
    r"求助无门|叫天天不应|欺负(?:人|消费者|老百姓)|(?<![不还])真行[啊呀]?(?=[，,。!！?？\s]|$)|"
    r"(?:效率|速度)(?:可)?真(?:高|快)啊?[，,。!！]?.{0,16}(?:还在|了还|都没|还没)|"
    r"不是你亲|说东.{0,3}(?:答|说|回)西|蜗牛|火星时间|了个寂寞|复读机|个鬼|买了个教训|"
    r"(?<!哈)呵呵|^666|[🙂🙃]|[!！]{4,}|换个(?:新)?模板|(?:已经|都)?收到了?[三四五六七八九十几]+遍|"
    r"(?:一个|啥|什么)(?:问题)?(?:也|都)没(?:解决|办成)|"
    r"逾期|后续(?:措施|行动)|书面答复|保留.{0,4}(?:权利|追究)|激死|冇人(?:管|理)|踢(?:过)?来踢(?:过)?去|这就是你们说的|"
    r"记住你们了|眼瞎|望夫石|"
    r"(?:效率|服务|速度|态度)(?:可)?真(?:高|好|快)啊?[，,。!！]?[^，,。!！]{0,12}(?:没|不)|[！!](?<=[\u4e00-\u9fff][！!])[\u4e00-\u9fff][！!]|"
    r"disgrace|ignor(?:ing|ed) (?:me|us)|nobody (?:helps|cares|answers)|waste of (?:my )?(?:time|money)|scam|"
    r"sick of|enough is enough|never again|kidding me|wtf|seriously\?|excuses|chargeback|charge ?back|disput\w* the charge|"
    r"small claims|\bbbb\b|better business bureau|lawyer|attorney|\bsue\b|thanks for nothing|unbelievable|"
    r"stop sending|read my (?:message|messages|email)|\bffs\b|done being (?:polite|patient|nice)|"
    r"consumer (?:protection|rights|council|association)|trading standards|straight answer|you people|your fault|"
    r"not be chasing|nobody (?:showed|came|called)|compensate me|had the nerve|not acceptable|oh (?:great|wonderful|perfect|fantastic)\b|"
    r"world-class (?:service|support|logistics)|(?:would ?n[o']t|do ?n[o']t|never) recommend|never buying|"
    r"tell(?:ing)? everyone|trustpilot|how many (?:more )?times|(?:even|actually) read(?:ing)? (?:my|the|these|our) "
    r"(?:messages?|emails?)|copy[- ]?past(?:e|ed|ing)|\bfuck|bullshit|"
    r"(?:get|give|want) me (?:a|your) (?:supervisor|manager)|(?:post|write|leave)\w* .{0,20}reviews?|review sites?|"
    r"rubbish|terrible|worst|angry|furious|ridiculous|joke|unacceptable|fed up|useless|disgusting|pathetic",
    re.IGNORECASE,
)
_QUIET_TYPES = ("inquiry", "other")
_ERROR_CODE = quick(
    r"(?:显示|报|跳|出现|提示|闪|亮)了?(?:个|一个)?\s*(?:故障码|故障代码|错误码|代码)?\s*[:：]?\s*"
    r"(?<![A-Za-z])[A-Za-z]{1,2}-?\d{1,3}(?![\dA-Za-z])"
    r"|\b(?:shows?|showing|displays?|displaying|flashing|error|code)\s+(?:error\s+|code\s+)*[A-Za-z]{1,2}-?\d{1,3}\b",
    re.IGNORECASE,
)


# Sentiment score (P(positive) − P(negative)) at or below which a customer who speaks of the service (`_AT_US`)
# counts as angry. The model learnt from product reviews, where "衣服太小了" or "退货运费谁出" score as low as real
# anger, so a low score alone is no evidence; said of the service ("你们", "售后", "等了…") it is. Chosen on the
# hand-written `tests/nlp/data/angry_heldout.jsonl` (bench/bench_nlp.py prints it).
ANGRY_SCORE = -0.5
# Fewer letters than this and the model's score is no evidence: "没有", "不行" or "还是不行" answer a question, and a
# review-trained model reads any bare negation as a one-star review.
ANGRY_MIN_LETTERS = 5
_AT_US = re.compile(r"你们|售后|客服|服务|公司|态度|电话|几次|多少遍|一直|又|还没人|没人|等了|拖|都.{0,4}了")
_LETTERS = re.compile(r"[^\W\d_]")
_SHOUTED = re.compile(r"(?<![\w-])[A-Z]{2,}(?:[\s,.!?']+[A-Z]{2,}){2,}(?![\w-])")


_CALM = quick(
    r"(?:不是|并不是|没有?|并没有?)(?:要|在|想|跟你们)?(?:生气|投诉|吵架|发火|找茬)|不生气|我不(?:着)?急|(?:没|不)打算(?:给|投诉)|"
    r"\bnot (?:angry|mad|upset|complaining|a complaint)\b",
    re.IGNORECASE,
)
"""Anger disclaimed in so many words ("我不是要投诉，只是反馈一下", "not angry at all, just checking"): whatever words
of a complaint follow, the customer says they are calm."""
_REPORTED = quick(
    r"(?:有人|朋友|邻居|网上|网友|评论区|别人|同事|亲戚|小红书|微博|抖音|老公|老婆|爱人|我妈|我爸|家人|家里人|孩子|儿子|女儿|"
    r"\bmy (?:friend|neighbou?r|colleague|sister|brother|mother|mum|mom|dad|father|husband|wife|partner|son|daughter|"
    r"parents|family)|someone|people online)[^。！!？?]{0,16}?"
    r"(?:说|骂|讲|吐槽|抱怨|发火|发脾气|气得|生气|said|says|told me|(?:was|is|got|gets) (?:furious|angry|livid|fuming|upset)|"
    r"complain\w*)[^。！!？?]*?"
    r"(?=[，,]\s*(?:但|不过|可|我|不好意思|其实|所以|想|请问|but\b|so\b|and i\b|i\b)|[。！!？?]|$)",
    re.IGNORECASE,
)
"""Someone else's anger told of ("网上有人说你们家热水器容易漏水，气得要去315曝光，我有点担心"): up to where the customer's
own words resume, it is not the customer's."""


def angry(text: str, sentiment_score: float) -> bool:
    """Whether the customer is angry: what later steps (priority, a person taking over) react to. Anger disclaimed
    is none, and someone else's anger told of is not the customer's (nor is the score it drags down)."""
    if _CALM.search(text):
        return False
    own = _REPORTED.sub("", text)
    if _ANGRY.search(own) or _shouting(own):
        return True
    return (own == text and sentiment_score <= ANGRY_SCORE and len(_LETTERS.findall(text)) >= ANGRY_MIN_LETTERS
            and bool(_AT_US.search(text)))


def _shouting(text: str) -> bool:
    """English words in capitals, three or more in a row ("WHY IS NOBODY ANSWERING"); model numbers and ids
    ("BCD-508WKPZM", "SN:SNX001…") are not words between spaces."""
    return _SHOUTED.search(text) is not None


def hazards(text: str) -> tuple[str, ...]:
    """The kinds of danger the text tells of, in `HAZARDS` order."""
    return tuple(kind for kind, pattern in HAZARDS.items() if pattern.search(text))


_OUT_OF_ORDER = quick(
    r"(?<!券|分|包|额|号|码|员|卡|费|险|价)(?<!优惠|积分|红包|余额|账号|密码|会员|支付|微信|银行)"
    r"(?:不能|没法|无法|不好|没办法)(?:正常)?(?:用|使用|工作|运行|开机|启动)了?(?=[\s，,。.!！~～?？]|怎么|咋|$)")
"""A device said to have stopped working in so many words ("不能用了", "没法用了", "不好用了，怎么办"), not a coupon,
an account or a payment that "不能用"."""
_NO_DEVICE = quick(r"券|积分|红包|余额|花呗|支付宝|链接|会员卡|礼品卡|购物卡|津贴|补贴|账号")
"""What "不能用" is said of further off than `_OUT_OF_ORDER` looks ("两块券是不是不能用了", "五元优惠券怎么不能用"):
a coupon or a payment, a question for the shop."""


_SYMPTOM = quick(
    r"掉线|断网|断线|连不上|上不了网|没信号|信号(?:差|弱|不好)|网速(?:慢|很慢)|死机|自动重启|黑屏|花屏|没声音|没反应|不工作|"
    r"不启动|开不了机|开不开机|不开机|不亮|不转|不制冷|不制热|不加热|不出水|不排水|不脱水|漏水|滴水|漏电|跳闸|异响|噪音(?:很|太)?大|"
    r"声音(?:很|太|特别)?大|(?:有|一股)(?:焦|糊|怪|异)味|发烫|过热|报错|故障"
    r"|\b(?:disconnects?|disconnecting|keeps? (?:dropping|disconnecting|restarting|turning off|beeping|tripping)"
    r"|won'?t (?:turn on|start|connect|heat|cool|drain|spin)|stopped (?:working|heating|cooling|draining)"
    r"|(?:is|are) (?:not working|broken|dead)|leaks?|leaking|overheat(?:s|ing)?|no signal|no power)\b",
    re.IGNORECASE,
)


def device_symptom(text: str, products: tuple[str, ...]) -> bool:
    """Whether the text tells of a symptom of a device it names ("路由器老掉线", "the router keeps disconnecting"): a
    fault, though the type model, knowing few words of routers, read "路由器老掉线" as a greeting."""
    return bool(products) and bool(_SYMPTOM.search(text))


def fault_told(text: str, dangers: tuple[str, ...]) -> bool:
    """Whether the text tells of a danger (`dangers`, its `hazards`), of an error code a device shows or of a device
    out of order: a fault, so a repair, even when it is put as a question ("热水器显示E4是什么意思", "不能用了怎么办")
    or as a bare observation ("燃气灶有股煤气味")."""
    return bool(dangers) or bool(_ERROR_CODE.search(text)) or (bool(_OUT_OF_ORDER.search(text))
                                                              and not _NO_DEVICE.search(text))


_SHIPPED_SHORT = re.compile(r"少发|漏发|发少了|没(?:有)?(?:给我)?发(?:货|过来|给我|(?=[，,。.!！?？\s]|$))|"
                            r"少(?:了|给了?)(?:一|1|两|2|几)(?:个|件|台|套|包|箱)|只(?:收到|到了?|发了?)(?:一|1|两|2)|少一(?:个|件)")


def shipped_short(text: str) -> bool:
    """Whether the text tells of an order delivered short ("少发了一个滤芯", "漏发了遥控器", "买了两个只收到一个"): a
    delivery matter, whatever part is missing, though a filter or a remote reads to the type model as upkeep or a
    repair, which would send a technician."""
    return bool(_SHIPPED_SHORT.search(text))


_STALLED = quick(
    r"\b(?:parcel|package|box|delivery|shipment|order|item|goods)s?\b[^.!?]{0,30}?\b(?:(?:has|have|is|was|did)\s*n[o']t"
    r"|not|never|still\s+(?:not|hasn'?t|haven'?t))\s+(?:yet\s+)?(?:arrived|arrive|come|came|been\s+delivered|shown\s+up"
    r"|turned\s+up|been\s+shipped|shipped)\b"
    r"|\b(?:parcel|package|shipment|delivery|tracking)\b[^.!?]{0,30}?\b(?:stuck|lost|no\s+updates?|not\s+moving"
    r"|hasn'?t\s+moved)\b",
    re.IGNORECASE,
)


def delivery_stalled(text: str) -> bool:
    """Whether an English message tells of a parcel that has not come ("the box hasn't arrived yet", "my parcel
    seems stuck, no updates for 4 days"): a delivery to chase, which the type model, trained on few English words,
    read as a repair."""
    return bool(_STALLED.search(text))


_FED_UP = quick(
    r"\bworst\s+(?:customer\s+)?(?:service|experience|company)\b|\b(?:this\s+is|that'?s|it'?s)\s+(?:absolutely\s+)?"
    r"(?:ridiculous|unacceptable|a\s+joke|outrageous|a\s+disgrace|a\s+scam)\b"
    r"|\b(?:technician|repair\s*(?:guy|man)|installer|engineer|plumber)s?\b[^.!?]{0,20}?\b(?:(?:\d+|an?|one|two|three"
    r"|several)\s+hours?\s+)?late\b",
    re.IGNORECASE,
)


def fed_up(text: str) -> bool:
    """Whether an English message is a complaint about the service itself ("worst customer service ever", "I've been
    waiting two weeks, this is ridiculous", "the repair guy was 3 hours late"), whatever service it names."""
    return bool(_FED_UP.search(text))


_PROOF = r"(?:发票|收据|小票|购买凭证|购物凭证|保修卡)"
_PROOF_KEPT = quick(rf"(?<![没无])(?:有|带着?|留着|保留了?|还在|都在){_PROOF}|{_PROOF}(?:都|也|还)?(?:有|在|留着)")
_INVOICE_WANTED = quick(r"开|补|寄|放|附|给我|抬头|税号|专票|普票|电子|重新|红冲|错|不对|没收到|还没|要|怎么|吗|么|\?")


def proof_kept(text: str) -> bool:
    """Whether the text only says the customer has proof of purchase ("在京东买的，有发票", "保修卡还在"): a detail
    of the warranty of what they report, not a request for an invoice."""
    return bool(_PROOF_KEPT.search(text)) and not _INVOICE_WANTED.search(text)


_NOT_AS_DESCRIBED = quick(
    r"(?:和|跟|与)(?:图片|图上|照片|描述|详情页?|宣传|介绍|展示|页面|商品页|广告)(?:上|里|中)?(?:的)?(?:完全|根本|很|太|严重)?"
    r"(?:不一样|不符|不同|不一致|两回事|差(?:很多|太多|别大|距大|得远))|货不对板|图文不符|与描述不符|实物.{0,6}(?:不一样|不符|差太多|差很多)"
)


def not_as_described(text: str) -> bool:
    """Whether the goods are said not to be what the listing showed ("收到的货和图片不一样", "货不对板"): a return or
    exchange, not a fault for a technician to visit."""
    return bool(_NOT_AS_DESCRIBED.search(text))


_BROKEN_IN_TRANSIT = quick(
    r"(?:快递|物流|运输|送货|配送|收到(?:货|时|的时候)?|到货|拆开|开箱|包装|外箱|箱子|纸箱)(?:(?!用了|使用|用过).){0,12}"
    r"(?:压坏|摔坏|破损|破了|碎了|裂了|变形|压扁|磕坏|磕碰|凹进去|凹了|撞坏)"
    r"|\b(?:arrived|came|was delivered)\s+(?:\w+\s+){0,2}"
    r"(?:crushed|damaged|broken|cracked|dented|bent|smashed|shattered)\b"
    r"|\b(?:package|parcel|box|packaging)\b.{0,30}\b(?:crushed|damaged|torn|smashed|dented)\b",
    re.IGNORECASE,
)


def broken_in_transit(text: str) -> bool:
    """Whether the goods are said to have come damaged ("快递被压坏了", "收到的时候外箱破了，微波炉门也变形了"): a
    return or an exchange for the shop, not a fault for a technician to visit."""
    return bool(_BROKEN_IN_TRANSIT.search(text))


_OVERCHARGED = quick(
    r"(?:扣|收|付|交)(?:了)?(?:两|2|二)次|重复(?:扣款|扣费|收费|付款)|多(?:扣|收)(?:了|我)|乱收费|收费不合理|"
    r"\b(?:charged|billed) (?:me )?(?:twice|two times|double)|\bdouble[- ](?:charged|billed)|\bover-?charged?\b",
    re.IGNORECASE,
)


def overcharged(text: str) -> bool:
    """Whether the customer says they were charged twice or too much ("安装费被扣了两次", "师傅多收了我200块钱",
    "I was charged twice for the installation"): a complaint about the money, though the service it was for reads
    to the type model as an installation or a repair to book."""
    return bool(_OVERCHARGED.search(text))


_RUDE_STAFF = quick(
    r"(?:师傅|客服|快递员?|送货的?|送货员|配送员|安装工|安装的|工人|维修工|业务员)的?态度(?:很|非常|特别|太|超|极其|真|也太)?"
    r"(?:差|恶劣|不好|傲慢|冷淡|凶)|(?:师傅|客服|快递员|送货的?|送货员|配送员|安装工|工人|维修工)(?:还|竟然|居然)?"
    r"(?:骂人|骂我|凶我|吼我|爱答不理|不耐烦)"
    r"|\b(?:installer|technician|engineer|repairman|agent|delivery (?:guy|man|driver|person|people|team)|courier|driver"
    r"|staff)s?\b.{0,20}\b(?:rude|impolite|unprofessional|disrespectful|aggressive|yelled|shouted|swore)\b",
    re.IGNORECASE,
)


def rude_staff(text: str) -> bool:
    """Whether the customer says a technician, an agent or the delivery was rude ("快递员态度很差", "the delivery guy
    was super rude"): a complaint, though the courier reads to the type model as a delivery to chase."""
    return bool(_RUDE_STAFF.search(text))


_RETURN_ASKED = quick(
    r"(?<![不别没就再])(?:想|要|申请|可以|能不能|帮我|给我|直接)(?:办理?)?(?:退货|退掉|退了|退回去|退款|换货|换一台|换台新的|换个新的|换新)"
    r"|\b(?<!n't )(?<!not )(?:want|like|need|wish|going) to (?:return|exchange|send back)\b"
    r"|\b(?<!n't )(?<!not )(?:want|need|like) (?:a|my) refund\b",
    re.IGNORECASE,
)


_ORDER_AGAIN = quick(r"[重从]新(?:拍|下单|买|购买)|重拍")


def ordering_again(text: str) -> bool:
    """Whether the customer means to order again ("退了重拍", "申请退款从新下单"): a refund asked for on the way to
    it is a change to the order, not a return."""
    return bool(_ORDER_AGAIN.search(text))


def return_asked(text: str) -> bool:
    """Whether the customer asks in so many words for the goods to be taken back or exchanged ("我想退掉上周买的净化器，
    一直有异响", "I want to return the kettle, it leaks"): a return, though the fault told as its reason reads to the
    type model as a repair. Not when it is refused or a fallback ("不想退货", "修不好就要退货"), nor when the refund is
    only the way to order again ("可以退款，然后我重新拍嘛"): that is a change to the order."""
    return bool(_RETURN_ASKED.search(text)) and not ordering_again(text)


_DAMAGE_DONE = quick(
    r"(?:师傅|安装工|工人|送货的?|送货员|快递员|配送员|搬运的?)(?:(?![，,。.!！?？]).){0,8}(?:把|给)(?:我家?的?)?"
    r"(?:(?![，,。.!！?？]).){0,6}(?:弄坏|弄脏|划了|划坏|划花|刮花|刮坏|磕坏|碰坏|撞坏|打碎|摔坏|弄破|弄湿|踩脏|磕了|碰掉)"
    r"|\b(?:installer|technician|engineer|repairman|plumber|delivery (?:guy|man|driver|person|people|team)|courier"
    r"|mover)s?"
    r"\b.{0,30}\b(?:scratched|damaged|broke|dented|stained|cracked|scuffed|dirtied|smashed|chipped)\b",
    re.IGNORECASE,
)


def damage_done(text: str) -> bool:
    """Whether the technician or the delivery is said to have damaged the customer's home or things ("安装师傅把我家地板
    划了", "送货的把门框撞坏了"): a complaint for staff, though the home's fittings read to the type model as a
    repair."""
    return bool(_DAMAGE_DONE.search(text))


_BOUGHT = quick(r"买的|购买的|入手的|买了(?:[0-9一二两三四五六七八九十]+|半|好几|好多)(?:年|个月|多年)")
_AMISS = quick(r"只|没|少|缺|坏|破|漏|碎|退|换|跑气|不")
"""Words of something wrong or wanted besides the purchase ("我买的面包，一箱只有10个，还跑气三个")."""
_ASKED = quick(r"[吗么嘛呢吧呗?？]|哪|怎么|什么|多少|(?<!好)几(?!乎)|能|可以|是否|是不是|还是|有没有|别")


_KIND_TOLD = re.compile(r"^(?!.*(?:什么|啥|哪|几|怎|多少|谁|吗|么|要|想|喜欢|希望|还是|别|说|返|一样))(?:是|就是|我的是|我家的是|这个是|这台是)?"
                        r"(?:[^\W坏漏响不没烂破碎错裂]){1,8}的[\s。.!！~～]*$")


def kind_told(text: str) -> bool:
    """Whether the text only says what kind of thing it is ("是燃气的", "电的", "美的的", "滚筒的"): a detail of
    the report, not a question (an article on gas leaks answered "是燃气的") nor a new problem. Asked ("78的啥材质的")
    or wished for ("我要全部都是黑色的", "我喜欢宽松一点的"), it is a question about the goods."""
    return bool(_KIND_TOLD.match(text.strip()))


def purchase_told(text: str) -> bool:
    """Whether the text says when or where the customer bought it ("格力的，去年买的", "在京东买的") and asks
    nothing: a detail of what they report, not a question for the knowledge base."""
    return bool(_BOUGHT.search(text)) and not _ASKED.search(text) and not _AMISS.search(text)


def priority(text: str, ticket_type: str, *, dangers: tuple[str, ...], angered: bool) -> str:
    """P1 (act now) … P4 (no ticket, or a question that can wait). `dangers` and `angered` are the text's `hazards`
    and `angry`, which the understanding reports as well: each is looked for once per message."""
    if dangers:
        return "P1"
    pressing = bool(_VULNERABLE.search(text)) or bool(_URGENT.search(text))
    if _SEVERE.search(text):
        return "P1" if pressing else "P2"
    level = 4 if ticket_type in _QUIET_TYPES else 3
    if pressing:
        level -= 1
    if angered:
        level -= 1
    return f"P{max(level, 2)}"
