"""性别 (sex): GB/T 2261.1-2003 《个人基本信息分类与代码 第1部分：人的性别代码》."""

from . import CodeList, Entry

SEX = CodeList(
    "GB/T 2261.1-2003",
    [
        Entry("0", "未知的性别", ("未知",)),
        Entry("1", "男性", ("男", "M", "MALE")),
        Entry("2", "女性", ("女", "F", "FEMALE")),
        Entry("9", "未说明的性别", ("未说明",)),
    ],
)
