"""Demo people: Chinese names, mobile numbers, valid resident IDs and credit codes. Pure and seeded."""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric, uscc

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅海燕俊峰雪琳晨浩宇欣怡子涵"
         "思远嘉怡雨轩博文一鸣佳琪志强晓东春华秋月文静天佑梓萱诗雨宏伟立新永健瑞丰")
MOBILE_PREFIXES = ("138", "139", "150", "151", "152", "158", "159", "186", "187", "188", "135", "136",
                   "137", "180", "189", "177", "133", "199")
# birth places: districts of the demo city (Chengdu) and a few others; all known to stdnum
BIRTH_PLACES = ("510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114",
                "510115", "510116", "510121", "510182", "500103", "110105", "310104", "440305",
                "330106", "420106", "610113")
COMPANY_PLACES = ("510104", "510105", "510107", "510108", "510100")
COMPANY_WORDS = ("锦城", "蓉欣", "天府", "西岭", "青羊", "新希望", "川汇", "蜀信", "瑞和", "华锦", "宏远",
                 "金沙", "同创", "恒泰", "嘉禾", "远航")
COMPANY_TRADES = ("商业运营管理", "资产管理", "实业", "投资", "酒店管理", "供应链管理", "文化传媒",
                  "医疗投资", "教育科技", "物业服务")


class People:
    """Hands out names, phones and identity numbers that never repeat within one demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self._names: set[str] = set()

    def person_name(self) -> str:
        for _ in range(50):
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self._names:
                break
        self._names.add(name)
        return name

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def resident_id(self, born_from: int = 1962, born_to: int = 1998) -> str:
        """An 18-digit resident ID with a real birth place, birth date and check digit."""
        while True:
            born = date(born_from, 1, 1) + timedelta(days=self.rng.randrange((born_to - born_from) * 365))
            body = f"{self.rng.choice(BIRTH_PLACES)}{born:%Y%m%d}{self.rng.randrange(1, 1000):03d}"
            number = body + ric.calc_check_digit(body)
            if number not in self._ids and ric.is_valid(number):
                self._ids.add(number)
                return number

    def company_name(self) -> str:
        for _ in range(50):
            name = (f"成都{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}有限公司")
            if name not in self._names:
                break
        else:
            name = f"成都{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}{len(self._names)}有限公司"
        self._names.add(name)
        return name

    def credit_code(self) -> str:
        """A unified social credit code (统一社会信用代码) of a company registered in the city."""
        while True:
            org = f"{self.rng.randrange(10**7, 10**8)}"
            org += _org_check_digit(org)
            body = "91" + self.rng.choice(COMPANY_PLACES) + org
            number = body + uscc.calc_check_digit(body)
            if number not in self._ids and uscc.is_valid(number):
                self._ids.add(number)
                return number


def _org_check_digit(body: str) -> str:
    """Check character of the 9-character organisation code (GB 11714) inside a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
