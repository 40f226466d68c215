"""The agency registry: valid files load (and reach the store), bad rows are all reported in Chinese."""

from __future__ import annotations

import pytest

from audit.registry import Agency, RegistryError, load_registry, parse_registry, split_emails, write_registry
from audit.store import Store

HEADER = "id,name,type,region,url,supervisor_email\n"
GOOD = (
    HEADER
    + "shengtai,示例市生态环境局,department,示例市,https://sthjj.example.gov.cn/xxgk/gknb/,a@example.org;b@example.org\n"
    + "xian,示例县人民政府,government,示例县,http://www.example.gov.cn:8080/col/col1229/index.html,\n"
    + "\n"
    + "zhen,示例镇人民政府,township,示例县,https://zhen.example.gov.cn/,c@example.org\n"
)


def test_valid_registry_loads():
    agencies = parse_registry(GOOD)
    assert [a.id for a in agencies] == ["shengtai", "xian", "zhen"]
    first = agencies[0]
    assert first == Agency("shengtai", "示例市生态环境局", "department", "示例市", "https://sthjj.example.gov.cn/xxgk/gknb/", "a@example.org;b@example.org")
    assert first.emails == ["a@example.org", "b@example.org"]
    assert agencies[1].emails == []


def test_bom_gbk_and_spaces_are_tolerated(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(("\ufeff" + GOOD.replace(",a@example.org;b@example.org", ", a@example.org ； b@example.org ")).encode("utf-8"))
    assert load_registry(path)[0].emails == ["a@example.org", "b@example.org"]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(GOOD.encode("gbk"))
    assert load_registry(gbk)[2].name == "示例镇人民政府"


def test_every_bad_row_is_reported_with_its_line():
    text = (
        HEADER
        + "a1,甲局,bureau,示例县,https://a.example.gov.cn/,\n"  # unknown type
        + "a2,乙局,department,示例县,ftp://b.example.gov.cn/,\n"  # bad scheme
        + "a3,丙局,department,示例县,not a url,\n"  # not a URL
        + "a1,丁局,department,示例县,https://d.example.gov.cn/,\n"  # duplicate id
        + ",戊局,department,示例县,https://e.example.gov.cn/,\n"  # missing id
        + "a6,,department,示例县,,\n"  # missing name and url
        + "a7,己局,department,示例县,https://g.example.gov.cn/,not-an-email\n"
        + "a8,庚局,township,示例县,https://h.example.gov.cn/,ok@example.org\n"
    )
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, "agencies.csv")
    problems = caught.value.problems
    joined = "\n".join(problems)
    assert "第 2 行：未知的机关类型 'bureau'" in joined
    assert "第 3 行：网址 'ftp://b.example.gov.cn/' 无效：网址必须以 http:// 或 https:// 开头" in joined
    assert "第 4 行：网址 'not a url' 无效" in joined
    assert "第 5 行：编号 'a1' 重复（第 2 行已使用）" in joined
    assert "第 6 行：缺少编号 id" in joined
    assert "第 7 行：缺少机关名称 name" in joined and "第 7 行：缺少网址 url" in joined
    assert "第 8 行：监督人邮箱 'not-an-email' 格式不正确" in joined
    assert not any("第 9 行" in p for p in problems)
    assert str(caught.value).startswith("机关登记表 agencies.csv 有 ")


def test_missing_columns_and_empty_files():
    with pytest.raises(RegistryError, match="表头缺少列 supervisor_email"):
        parse_registry("id,name,type,region,url\nx,甲,department,乙,https://a.example.gov.cn/\n")
    with pytest.raises(RegistryError, match="没有任何机关"):
        parse_registry(HEADER)


def test_unreadable_file(tmp_path):
    with pytest.raises(RegistryError, match="无法读取文件"):
        load_registry(tmp_path / "missing.csv")


def test_split_emails():
    assert split_emails("a@x.cn; b@y.cn；c@z.cn") == ["a@x.cn", "b@y.cn", "c@z.cn"]
    assert split_emails(None) == []


def test_round_trip_and_into_the_store(tmp_path):
    agencies = parse_registry(GOOD)
    path = write_registry(tmp_path / "out.csv", agencies)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel/WPS open it as UTF-8
    assert load_registry(path) == agencies
    store = Store(tmp_path / "nianbao.db")
    store.upsert_agencies(a.as_dict() for a in agencies)
    rows = {row["id"]: row for row in store.agencies()}
    assert rows["shengtai"]["supervisor_email"] == "a@example.org;b@example.org"
    assert rows["zhen"]["type"] == "township"
