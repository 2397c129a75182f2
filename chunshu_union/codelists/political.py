"""政治面貌 (political status): GB/T 4762-1984 《政治面貌代码》, with the
standard's abbreviations and the short forms offices write."""

from . import CodeList, Entry

POLITICAL_STATUS = CodeList(
    "GB/T 4762-1984",
    [
        Entry("01", "中国共产党党员", ("中共党员", "党员", "共产党员")),
        Entry("02", "中国共产党预备党员", ("中共预备党员", "预备党员")),
        Entry("03", "中国共产主义青年团团员", ("共青团员", "团员")),
        Entry("04", "中国国民党革命委员会会员", ("民革会员", "民革党员", "民革")),
        Entry("05", "中国民主同盟盟员", ("民盟盟员", "民盟")),
        Entry("06", "中国民主建国会会员", ("民建会员", "民建")),
        Entry("07", "中国民主促进会会员", ("民进会员", "民进")),
        Entry("08", "中国农工民主党党员", ("农工党党员", "农工党")),
        Entry("09", "中国致公党党员", ("致公党党员", "致公党")),
        Entry("10", "九三学社社员", ("九三学社",)),
        Entry("11", "台湾民主自治同盟盟员", ("台盟盟员", "台盟")),
        Entry("12", "无党派民主人士", ("无党派人士", "无党派")),
        Entry("13", "群众", ("普通群众", "普通公民")),
    ],
)

#: 民主党派: the eight parties (codes 04–11), for the member statistics.
DEMOCRATIC_PARTIES = frozenset(f"{n:02d}" for n in range(4, 12))
