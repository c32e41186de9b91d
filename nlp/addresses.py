"""Postal addresses in free text: province / city / district for routing, the rest as detail for the technician.

A small built-in gazetteer (every province-level name and the cities customers write without 市) anchors the
search; the administrative suffixes (省, 市, 自治州, 区, 县, 旗) do the rest. This stays dependency-free — the
full-gazetteer libraries (cpca, jionlp) pull pandas and tens of MB for a field dispatch only routes by region.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .patterns import quick
from .understanding import Address

_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南",
              "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾")
_AUTONOMOUS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区",
               "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区", "澳门": "澳门特别行政区"}
# Prefecture-level cities people name without a province; the value is the province they imply.
_CITIES = {
    "广州": "广东", "深圳": "广东", "东莞": "广东", "佛山": "广东", "珠海": "广东", "中山": "广东", "惠州": "广东",
    "汕头": "广东", "江门": "广东", "湛江": "广东", "杭州": "浙江", "宁波": "浙江", "温州": "浙江", "绍兴": "浙江",
    "嘉兴": "浙江", "金华": "浙江", "台州": "浙江", "湖州": "浙江", "南京": "江苏", "苏州": "江苏", "无锡": "江苏",
    "常州": "江苏", "南通": "江苏", "徐州": "江苏", "扬州": "江苏", "盐城": "江苏", "成都": "四川", "绵阳": "四川",
    "武汉": "湖北", "宜昌": "湖北", "襄阳": "湖北", "长沙": "湖南", "株洲": "湖南", "衡阳": "湖南", "岳阳": "湖南",
    "郑州": "河南", "洛阳": "河南", "南阳": "河南", "西安": "陕西", "咸阳": "陕西", "济南": "山东", "青岛": "山东",
    "烟台": "山东", "潍坊": "山东", "临沂": "山东", "石家庄": "河北", "保定": "河北", "唐山": "河北", "廊坊": "河北",
    "太原": "山西", "沈阳": "辽宁", "大连": "辽宁", "长春": "吉林", "哈尔滨": "黑龙江", "合肥": "安徽", "芜湖": "安徽",
    "福州": "福建", "厦门": "福建", "泉州": "福建", "南昌": "江西", "赣州": "江西", "海口": "海南", "三亚": "海南",
    "贵阳": "贵州", "遵义": "贵州", "昆明": "云南", "大理": "云南", "兰州": "甘肃", "西宁": "青海", "南宁": "广西",
    "桂林": "广西", "柳州": "广西", "呼和浩特": "内蒙古", "包头": "内蒙古", "银川": "宁夏", "乌鲁木齐": "新疆",
    "拉萨": "西藏",
}
# Districts of the cities most tickets come from, so "广州天河", "上海徐汇" and a bare "浦东新区" or "海淀区" route too.
_DISTRICTS = {
    "北京": "东城区 西城区 朝阳区 海淀区 丰台区 石景山区 门头沟区 房山区 通州区 顺义区 昌平区 大兴区 怀柔区 平谷区 "
            "密云区 延庆区",
    "上海": "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 金山区 松江区 青浦区 "
            "奉贤区 崇明区",
    "天津": "和平区 河东区 河西区 南开区 河北区 红桥区 东丽区 西青区 津南区 北辰区 武清区 宝坻区 滨海新区 宁河区 "
            "静海区 蓟州区",
    "重庆": "渝中区 江北区 南岸区 九龙坡区 沙坪坝区 大渡口区 渝北区 巴南区 北碚区 万州区 涪陵区 永川区 合川区 江津区",
    "广州": "越秀区 海珠区 荔湾区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区",
    "深圳": "福田区 罗湖区 南山区 盐田区 宝安区 龙岗区 龙华区 坪山区 光明区 大鹏新区",
    "杭州": "上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 钱塘区 富阳区 临安区",
    "南京": "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区",
    "苏州": "姑苏区 虎丘区 吴中区 相城区 吴江区 工业园区",
    "成都": "锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 高新区 天府新区",
    "武汉": "江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区 蔡甸区 江夏区 黄陂区 新洲区",
    "西安": "新城区 碑林区 莲湖区 灞桥区 未央区 雁塔区 临潼区 长安区 高陵区",
    "长沙": "芙蓉区 天心区 岳麓区 开福区 雨花区 望城区",
    "郑州": "中原区 二七区 管城区 金水区 惠济区 郑东新区",
}
# Names that are also districts of cities outside the table: they need the city written.
_AMBIGUOUS_DISTRICTS = {"朝阳区", "鼓楼区", "和平区", "西湖区", "江北区", "普陀区", "白云区", "新城区", "长安区",
                        "青山区", "河东区", "河西区", "河北区", "高新区", "通州区", "龙华区", "宝山区", "工业园区"}
_CITY_DISTRICTS = {city: tuple(names.split()) for city, names in _DISTRICTS.items()}
_DISTRICT_CITY = {d: city for city, names in _CITY_DISTRICTS.items() for d in names if d not in _AMBIGUOUS_DISTRICTS}
# "天河路", "南京北街": a place name followed by a road is a street, not the district or city.
_ROAD = re.compile(r"[东西南北中]?(?:路|街|大街|大道|道)")
_HAN = r"[\u4e00-\u9fff]"
_KEYWORDS = r"(?:收货地址|详细地址|所在地区|家庭住址|地址|住址|住在|家住)(?:还是|就是|改成|改为|是|为|在)?[:： ]*"
_PROVINCE = (
    "(?P<province>" + "|".join(f"{k}(?:{v[len(k):]})?" for k, v in _AUTONOMOUS.items())
    + "|(?:" + "|".join(_PROVINCES) + ")省?|(?:" + "|".join(_MUNICIPALITIES) + ")市?)"
)
_CITY = rf"(?P<city>(?:{'|'.join(sorted(_CITIES, key=len, reverse=True))})市?|{_HAN}{{1,6}}?(?:自治州|地区|盟|市))"
# 小区/社区/园区 end in 区 but are neighbourhoods, part of the detail.
_DISTRICT = rf"(?P<district>{_HAN}{{1,5}}?(?:新区|(?<![小社园校景])区|县|旗)|{_HAN}{{1,3}}?市)"
# Spaces typed around house numbers ("体育西路 191 号 3 单元") stay inside the detail, and so does one between
# parts of the address pasted from a form ("西陵街道 三峡大学沁苑学生公寓"): what follows it names a place again,
# where a name ("建国路88号 王先生") or a time ("明天上午") does not.
_DETAIL = (r"(?P<detail>(?:[\u4e00-\u9fffA-Za-z0-9#()\-]|(?<=\d) (?=[号栋幢单元室楼弄层])"
           r"| (?=\d{1,5} ?[号栋幢单元室楼弄层])"
           r"|(?<=[\u4e00-\u9fff0-9]) (?=[\u4e00-\u9fff]{1,10}?(?:大学|学院|学校|公寓|小区|花园|家园|大厦|广场|中心|社区|"
           r"宿舍|村|苑|院|[0-9一二三四五六七八九十]{1,4}(?:号楼|栋|幢|单元|号)))){0,40})")
_STRUCTURE = re.compile(rf"(?:{_PROVINCE})?\s*(?:{_CITY})?\s*(?:{_DISTRICT})?\s*{_DETAIL}")
_PLACES = sorted(list(_AUTONOMOUS) + list(_PROVINCES) + list(_MUNICIPALITIES) + list(_CITIES) + list(_DISTRICT_CITY),
                 key=len, reverse=True)
_STREET_NUMBER = rf"{_HAN}{{1,10}}?(?:路|街|道|巷|弄)\s?\d"
_BUILDING = rf"(?![我你他她住在]){_HAN}{{2,12}}?[0-9一二三四五六七八九十]{{1,4}}(?:号楼|栋|幢)"
"""A residential compound and its building ("望京西园三区301号楼"), as addresses in the north are mostly given."""
_COMPOUND = rf"(?:{_BUILDING}|{_HAN}{{1,10}}?(?:小区|花园|家园|公寓|大厦|社区))"
# A district other cities have too anchors only before a street and its number ("朝阳区建国路88号") or a compound
# ("朝阳区望京西园三区301号楼"): kept without a city rather than lost.
_ANCHOR = quick(rf"{_KEYWORDS}|(?=(?:{'|'.join(_PLACES)})(?!{_ROAD.pattern}))|"
                rf"(?=(?:{'|'.join(sorted(_AMBIGUOUS_DISTRICTS))})(?={_STREET_NUMBER}|{_COMPOUND}))")
_STREET_FIRST = quick(rf"(?<!{_HAN})(?:就是|还是|是|在|到|送到|寄到|住|我家在|家在)?(?={_STREET_NUMBER}|{_BUILDING})")
"""A street and its house number, or a compound and its building, with no place before them ("建国路88号5号楼",
"望京西园三区301号楼2单元1102"): an address when one was asked for."""
# Where the detail of an address ends and the sentence carries on.
_DETAIL_END = re.compile(
    # "88号的空调坏了" ends it at 的; "德基广场旁边的小区3栋", "旁边的SOHO现代城5号楼" and "大厦的5楼" go on.
    r"的(?![A-Za-z]{0,10}[\u4e00-\u9fff]{0,3}?(?:小区|大厦|公寓|花园|宿舍|家属院|写字楼|商场|广场|大楼|现代城)|"
    r"[0-9一二三四五六七八九十]{1,4}(?:号|栋|幢|单元|楼|层|室))|"
    r"详细地址|地址|电话|手机|联系|收货人|收件人|明天|今天|后天|上午|下午|晚上|中午|周[一二三四五六日天]|星期|礼拜|师傅|麻烦|请|"
    r"谢谢|这边|那边|家里|我家|我的|我们|空调|冰箱|洗衣机|热水器|油烟机|燃气灶|电视|净水器|坏了|需要|安装|维修|在家|有人|"
    # The sentence goes on after the house number: "星湖街328号吗", "…302室对吧", "…8号能送吗".
    r"(?<=[号室楼层栋幢弄院])(?:吗|嘛|吧|呢|啊|呀|哦|哈|么|对|是|能|可以|行|送|到|寄|发|改)|"
    # A mobile number typed straight after the address ("新开河镇15941720168孟月") starts the contact details.
    r"(?<!\d)1[3-9]\d{9}(?!\d)"
)
# What makes the rest a street address; 号 only as a house number (not 税号, 单号), 道 not in 知道.
_DETAIL_MARK = re.compile(
    r"[路街巷弄栋幢室楼层村镇乡院苑城]|(?<![知报难味])道|(?<=[0-9一二三四五六七八九十])号|单元|大厦|广场|小区|公寓|花园|中心|"
    r"学校|大学|\d"
)


def _province_of(province: str, city: str) -> str:
    """Canonical province name (with 省/市/自治区), implied from a well-known city when not written."""
    short = province.removesuffix("省").removesuffix("市")
    for key, full in _AUTONOMOUS.items():
        if province.startswith(key) or (not province and _CITIES.get(city.removesuffix("市")) == key):
            return full
    if not short:
        short = _CITIES.get(city.removesuffix("市"), "")
    if not short:
        return ""
    return f"{short}市" if short in _MUNICIPALITIES else f"{short}省"


def _known_district(city: str, detail: str) -> tuple[str, str]:
    """A district of `city` written at the start of `detail`, with or without 区 ("天河", "浦东"), and the rest."""
    for full in _CITY_DISTRICTS.get(city, ()):
        for name in (full, full.removesuffix("新区").removesuffix("区")):
            if detail.startswith(name) and not _ROAD.match(detail, len(name)):
                return full, detail[len(name):]
    return "", detail


def extract_addresses(text: str, *, asked: bool = False) -> tuple[Address, ...]:
    """The addresses in `text`; when one was `asked` for, also one that starts at its street ("建国路88号")."""
    found: list[Address] = []
    pos = 0
    while (anchor := _ANCHOR.search(text, pos) or (_STREET_FIRST.search(text, pos) if asked else None)) is not None:
        m = _STRUCTURE.match(text, anchor.end())
        pos = max(anchor.end() + 1, m.end() if m else 0)
        if m is None:
            continue
        province, city, district = (m.group(g) or "" for g in ("province", "city", "district"))
        detail = m.group("detail") or ""
        end = _DETAIL_END.search(detail)
        if end:
            detail = detail[: end.start()]
        span_end = m.start("detail") + len(detail)
        short_city = city.removesuffix("市") or province.removesuffix("市")
        if not district:
            district, detail = _known_district(short_city, detail)
        elif not (province or city) and district in _DISTRICT_CITY:
            short_city = _DISTRICT_CITY[district]
            province, city = (short_city, "") if short_city in _MUNICIPALITIES else ("", short_city)
        keyed = anchor.end() > anchor.start() or anchor.re is _STREET_FIRST
        if not (district or (detail and _DETAIL_MARK.search(detail) and (province or city or keyed))):
            continue
        short = province.removesuffix("市")
        if short in _MUNICIPALITIES and not city:
            city = f"{short}市"
        elif city in _CITIES:
            city += "市"
        address = Address(text=text[m.start():span_end].strip(), province=_province_of(province, city),
                          city=city, district=district, detail=detail)
        previous = found[-1] if found else None
        if previous and not previous.detail and not (address.province or address.city or address.district):
            # "我住在南京秦淮区，具体地址：中华路100号" is one address given in two parts.
            address = replace(previous, text=f"{previous.text} {address.text}", detail=address.detail)
            found.pop()
        found.append(address)
        pos = span_end
    return tuple(found)
