"""The roster's columns, the usual ways people title them, and the coded
values a chair may type."""

from chunshu_union.codelists.education import EDUCATION
from chunshu_union.codelists.ethnicity import ETHNICITY
from chunshu_union.codelists.political import POLITICAL_STATUS
from chunshu_union.codelists.sex import SEX
from chunshu_union.tabular import Field

FIELDS = [
    Field("name", ("姓名", "会员姓名", "职工姓名"), required=True),
    Field(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "居民身份证号码"),
        required=True,
    ),
    Field("sex", ("性别",)),
    Field("birth", ("出生日期", "出生年月", "出生年月日")),
    Field("enterprise", ("所在企业", "企业名称", "单位名称", "工作单位", "所在单位", "企业")),
    Field("credit_code", ("统一社会信用代码", "社会信用代码", "信用代码")),
    Field("joined_on", ("入会日期", "入会时间", "入会年月")),
    Field("phone", ("联系电话", "手机号", "手机号码", "电话", "手机", "联系方式")),
    Field("ethnicity", ("民族",)),
    Field("education", ("文化程度", "学历")),
    Field("political_status", ("政治面貌",)),
    Field("is_migrant_worker", ("是否农民工", "农民工")),
    Field("is_model_worker", ("是否劳模", "劳模")),
    Field("is_in_hardship", ("是否困难职工", "困难职工")),
]

#: The template's columns, in order (the first title of each field).
TEMPLATE_COLUMNS = [
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "所在企业",
    "入会日期",
    "联系电话",
    "民族",
    "文化程度",
    "政治面貌",
    "是否农民工",
    "是否劳模",
    "是否困难职工",
]

#: Member fields a roster may set, compared to find what changed.
MEMBER_FIELDS = (
    "name",
    "phone",
    "ethnicity",
    "education",
    "political_status",
    "is_migrant_worker",
    "is_model_worker",
    "is_in_hardship",
)

FIELD_LABELS = {
    "name": "姓名",
    "phone": "联系电话",
    "ethnicity": "民族",
    "education": "文化程度",
    "political_status": "政治面貌",
    "is_migrant_worker": "是否农民工",
    "is_model_worker": "是否劳模",
    "is_in_hardship": "是否困难职工",
}

#: 性别 is read through GB/T 2261.1 (男, 男性, 1, M …); the ID number decides
#: it, so only 1 and 2 name a sex the number can agree with.
SEX_CODES = {"1": "M", "2": "F"}
SEX_LABELS = {"M": "男", "F": "女"}

#: The coded columns read through the national lists (chunshu_union.codelists):
#: a cell may hold the standard's name, its code or a short form offices
#: write; the member stores the code. The template's drop-downs are the
#: standards' names.
CODE_LISTS = {
    "sex": SEX,
    "ethnicity": ETHNICITY,
    "education": EDUCATION,
    "political_status": POLITICAL_STATUS,
}

#: Ethnic names that are not among GB 3304's groups but are written on
#: rosters; stored as 97 其他.
OTHER_ETHNICITIES = frozenset({"穿青人"})

YES_NO = ("是", "否")
