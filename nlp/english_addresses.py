"""Street addresses written in English ("88 Jianguo Road, Chaoyang District, Beijing"), as foreign customers and
expatriates in China write them: a house number and a street ending in Road/Street/Lu/…, with optional unit parts
before or after it ("Room 1203, 88 …"), then optional district and city parts. Cities and districts written in pinyin are mapped to their Chinese names, so dispatch
routes an English address by region like a Chinese one; the text is kept as written for the technician."""
from __future__ import annotations

import re

from .understanding import Address

_CITIES = {
    "beijing": ("北京市", "北京市"), "shanghai": ("上海市", "上海市"), "tianjin": ("天津市", "天津市"),
    "chongqing": ("重庆市", "重庆市"), "guangzhou": ("广东省", "广州市"), "shenzhen": ("广东省", "深圳市"),
    "dongguan": ("广东省", "东莞市"), "foshan": ("广东省", "佛山市"), "zhuhai": ("广东省", "珠海市"),
    "hangzhou": ("浙江省", "杭州市"), "ningbo": ("浙江省", "宁波市"), "nanjing": ("江苏省", "南京市"),
    "suzhou": ("江苏省", "苏州市"), "wuxi": ("江苏省", "无锡市"), "chengdu": ("四川省", "成都市"),
    "wuhan": ("湖北省", "武汉市"), "xian": ("陕西省", "西安市"), "changsha": ("湖南省", "长沙市"),
    "zhengzhou": ("河南省", "郑州市"), "qingdao": ("山东省", "青岛市"), "jinan": ("山东省", "济南市"),
    "xiamen": ("福建省", "厦门市"), "fuzhou": ("福建省", "福州市"), "dalian": ("辽宁省", "大连市"),
    "shenyang": ("辽宁省", "沈阳市"), "harbin": ("黑龙江省", "哈尔滨市"), "hefei": ("安徽省", "合肥市"),
    "kunming": ("云南省", "昆明市"), "sanya": ("海南省", "三亚市"),
}
# Districts of the cities most tickets come from, by city: (pinyin, Chinese).
_DISTRICTS = {
    "北京市": "dongcheng 东城区 xicheng 西城区 chaoyang 朝阳区 haidian 海淀区 fengtai 丰台区 shijingshan 石景山区 "
             "tongzhou 通州区 shunyi 顺义区 changping 昌平区 daxing 大兴区",
    "上海市": "huangpu 黄浦区 xuhui 徐汇区 changning 长宁区 jingan 静安区 putuo 普陀区 hongkou 虹口区 yangpu 杨浦区 "
             "minhang 闵行区 baoshan 宝山区 jiading 嘉定区 pudong 浦东新区 songjiang 松江区 qingpu 青浦区",
    "广州市": "yuexiu 越秀区 haizhu 海珠区 liwan 荔湾区 tianhe 天河区 baiyun 白云区 huangpu 黄埔区 panyu 番禺区",
    "深圳市": "futian 福田区 luohu 罗湖区 nanshan 南山区 yantian 盐田区 baoan 宝安区 longgang 龙岗区 longhua 龙华区",
    "杭州市": "shangcheng 上城区 gongshu 拱墅区 xihu 西湖区 binjiang 滨江区 xiaoshan 萧山区 yuhang 余杭区",
}
_DISTRICT_NAMES = {city: dict(zip(names.split()[::2], names.split()[1::2])) for city, names in _DISTRICTS.items()}

_NAME = r"[A-Za-z][A-Za-z'’\-]*"
_KNOWN = "|".join(re.sub(r"(?<=[a-z])(?=[aoe])", "['’]?", name)
                  for name in sorted({*_CITIES, *(name for names in _DISTRICT_NAMES.values() for name in names)},
                                     key=len, reverse=True))
"""Cities and districts this module knows by name: one may follow another ("Pudong, Shanghai") without a
"District" to say what it is. A syllable starting with a vowel may be set off by an apostrophe ("Jing'an",
"Xi'an")."""
_STREET_KIND = r"(?:road|rd|street|st|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|lu|jie|dajie|dadao|hutong)"
_UNIT = r"(?:apt|apartment|room|rm|unit|building|bldg|block|flat|floor|fl|tower)\.?\s*#?\s*\w{1,6}"
_ADDRESS = re.compile(
    rf"(?<![\w])(?:{_UNIT}\b\s*,?\s*)*(?:(?:no\.?\s*)?(?P<number>\d{{1,5}}[a-z]?(?:-\d{{1,4}})?),?\s+)"
    rf"(?P<street>(?:{_NAME}\s+){{0,3}}?(?:(?:east|west|south|north|middle)\s+)?{_NAME}\s+{_STREET_KIND}"
    rf"(?:\s+(?:east|west|south|north|middle))?)\b\.?"
    rf"(?P<rest>(?:\s*,?\s*{_UNIT}\b)*(?:\s*,\s*{_NAME}(?:\s+{_NAME})?\s+(?:district|new area|county)\b)?"
    rf"(?:(?:\s*,\s*(?:{_KNOWN})\b(?:\s+(?:district|new area|city))?){{1,2}}|\s*,\s*{_NAME}(?:\s+city)?\b)?)",
    re.IGNORECASE,
)
_DISTRICT = re.compile(rf"({_NAME})(?:\s+new)?\s+(?:district|new area|county)", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def english_addresses(text: str) -> tuple[Address, ...]:
    found = []
    for m in _ADDRESS.finditer(text):
        rest = m.group("rest") or ""
        words = [_key(part) for part in re.split(r"[,\s]+", rest) if part]
        city_key = next((w for w in reversed(words) if w in _CITIES), "")
        province, city = _CITIES.get(city_key, ("", ""))
        named = _DISTRICT.search(rest)
        districts = _DISTRICT_NAMES.get(city, {})
        district = (districts.get(_key(named.group(1)), "") if named
                    else next((districts[w] for w in words if w in districts), ""))
        span = m.group(0).rstrip(" ,.")
        found.append(Address(text=span, province=province, city=city, district=district, detail=span))
    return tuple(found)
