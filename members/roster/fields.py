"""The roster's columns, the usual ways people title them, and the coded
values a chair may type."""

from chunshu_union.tabular import Field

from ..models import Education, PoliticalStatus

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

SEXES = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F"}
SEX_LABELS = {"M": "男", "F": "女"}

ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族"
    " 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族"
    " 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族"
    " 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族"
    " 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

EDUCATION_LABELS = {
    Education.PRIMARY: "小学及以下",
    Education.JUNIOR: "初中",
    Education.SENIOR: "高中/中专",
    Education.COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.POSTGRADUATE: "研究生",
}
EDUCATIONS = {
    **{label: code for code, label in EDUCATION_LABELS.items()},
    "小学": Education.PRIMARY,
    "文盲": Education.PRIMARY,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "职高": Education.SENIOR,
    "技校": Education.SENIOR,
    "中技": Education.SENIOR,
    "高中及中专": Education.SENIOR,
    "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "学士": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "研究生及以上": Education.POSTGRADUATE,
}

POLITICAL_LABELS = {
    PoliticalStatus.CPC: "中共党员",
    PoliticalStatus.PROBATIONARY: "中共预备党员",
    PoliticalStatus.CYL: "共青团员",
    PoliticalStatus.DEMOCRATIC: "民主党派",
    PoliticalStatus.MASSES: "群众",
}
POLITICAL = {
    **{label: code for code, label in POLITICAL_LABELS.items()},
    "党员": PoliticalStatus.CPC,
    "中国共产党党员": PoliticalStatus.CPC,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "团员": PoliticalStatus.CYL,
    "共青团员": PoliticalStatus.CYL,
    "民主党派成员": PoliticalStatus.DEMOCRATIC,
    "无党派人士": PoliticalStatus.MASSES,
    "无党派": PoliticalStatus.MASSES,
}

YES_NO = ("是", "否")
