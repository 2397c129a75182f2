"""学历 (education): GB/T 4658-2006 《学历代码》.

A graduate's entry (…毕业) is also read without 毕业 (硕士研究生, 普通高中,
技工学校), and the short forms offices write name the graduate's entry
(硕士 → 14 硕士研究生毕业, 本科 → 21, 大专 → 31); a bucket such as 研究生 or
小学及以下 names the level (10, 80)."""

from . import CodeList, Entry

_TABLE = """
10 研究生教育
11 博士研究生毕业
12 博士研究生结业
13 博士研究生肄业
14 硕士研究生毕业
15 硕士研究生结业
16 硕士研究生肄业
17 研究生班毕业
18 研究生班结业
19 研究生班肄业
20 大学本科教育
21 大学本科毕业
22 大学本科结业
23 大学本科肄业
28 大学普通班毕业
30 大学专科教育
31 大学专科毕业
32 大学专科结业
33 大学专科肄业
40 中等职业教育
41 中等专科毕业
42 中等专科结业
43 中等专科肄业
44 职业高中毕业
45 职业高中结业
46 职业高中肄业
47 技工学校毕业
48 技工学校结业
49 技工学校肄业
60 普通高级中学教育
61 普通高中毕业
62 普通高中结业
63 普通高中肄业
70 初级中学教育
71 初中毕业
73 初中肄业
80 小学教育
81 小学毕业
83 小学肄业
90 其他
"""

_SHORT = {
    "10": ("研究生", "研究生及以上", "研究生学历"),
    "11": ("博士", "博士研究生学历"),
    "14": ("硕士", "硕士研究生学历"),
    "20": ("本科及以上",),
    "21": ("本科", "大学", "学士", "本科毕业", "大学本科学历", "本科学历"),
    "31": ("大专", "专科", "高职", "大专毕业", "专科毕业", "大专学历", "高职高专"),
    "41": ("中专", "中技", "中专毕业", "中等专业学校"),
    "44": ("职高",),
    "47": ("技校", "技工"),
    "60": ("高中及以上",),
    "61": ("高中", "高中毕业", "高中学历"),
    "70": ("初级中学",),
    "71": ("初中学历",),
    "80": ("小学及以下",),
    "90": ("文盲", "半文盲", "文盲或半文盲"),
}


def _entries():
    for line in _TABLE.strip().splitlines():
        code, name = line.split()
        graduate = (name.removesuffix("毕业"),) if name.endswith("毕业") else ()
        yield Entry(code, name, graduate + _SHORT.get(code, ()))


EDUCATION = CodeList("GB/T 4658-2006", list(_entries()))


def level(code: str) -> str:
    """The level an entry belongs to (14 → 10 研究生教育): the standard's
    codes share their first digit with their level's."""
    return code[:1] + "0"
