from django.urls import reverse

from postqc.learning.models import Question
from postqc.standards.models import ClauseRead
from postqc.standards.services import standard_import_markdown, version_publish

from .conftest import V2021, md


def publish(text, unit):
    return version_publish(version=standard_import_markdown(text=text, unit=unit, actor=None), actor=None).version


def test_clerk_sees_city_standards_with_read_progress(published, org, as_):
    ClauseRead.objects.create(staff=org.bob, revision=published.revisions.get(clause__code="JLQC-1.1"))
    response = as_(org.bob).get(reverse("standards:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "吉林市分公司营业服务规范" in page
    assert "已读 1/7" in page
    assert '<progress value="1" max="7">' in page


def test_list_query_count_does_not_grow_with_standards(published, org, as_, django_assert_num_queries):
    client = as_(org.bob)
    client.get(reverse("standards:list"))
    with django_assert_num_queries(4) as first:  # session, user, roles (menus), standards with progress
        client.get(reverse("standards:list"))
    for n in range(3):
        publish(md(code=f"S{n}"), org.jls)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("standards:list"))
    assert response.content.decode().count("已读 0/2") == 3


def test_a_county_standard_is_not_offered_outside_the_county(org, as_):
    publish(md(code="CYRULE", title="船营区补充规定"), org.cy)
    assert "船营区补充规定" in as_(org.bob).get(reverse("standards:list")).content.decode()
    client = as_(org.charlie)
    assert "船营区补充规定" not in client.get(reverse("standards:list")).content.decode()
    assert client.get(reverse("standards:detail", args=["CYRULE"])).status_code == 404
    assert client.get(reverse("standards:clause", args=["CYRULE-1.1"])).status_code == 404
    assert "CYRULE" not in client.get(reverse("standards:search"), {"q": "正文"}).content.decode()


def test_chapter_navigation_lists_chapters_with_their_clauses(published, org, as_):
    page = as_(org.erin).get(reverse("standards:detail", args=["JLQC"])).content.decode()
    assert page.count('<details class="chapter">') == 2
    assert "第一章 营业时间" in page and "第四条之一 未保价" in page
    assert reverse("standards:clause", args=["JLQC-2.4.1"]) in page


def test_reading_a_clause_marks_it_read_once(published, org, as_, make_question):
    make_question("Q-1", ["JLQC-2.3"])
    make_question("Q-2", ["JLQC-2.3"], pool=Question.Pool.RESERVED)
    client = as_(org.bob)
    url = reverse("standards:clause", args=["JLQC-2.3"])
    first = client.get(url)
    client.get(url)
    assert first.status_code == 200
    page = first.content.decode()
    assert "<p>用户查询给据邮件，应当在规定时限内答复。</p>" in page
    assert "1 道练习题考查本条" in page, "competition-only questions are not counted"
    assert f'<a href="{reverse("standards:clause", args=["JLQC-2"])}">第二章 查询与赔偿</a>' in page  # breadcrumb
    assert f'<a href="{reverse("standards:clause", args=["JLQC-2"])}">‹ 第二章 查询与赔偿</a>' in page  # previous
    assert f'<a class="next" href="{reverse("standards:clause", args=["JLQC-2.4"])}">第四条 赔偿 ›</a>' in page
    assert ClauseRead.objects.filter(staff=org.bob).count() == 1
    practice = f'{reverse("learning:practice", args=["topic"])}?clause=JLQC-2.3'
    assert f'href="{practice}"' in page
    assert "练习本条的题目" not in client.get(reverse("standards:clause", args=["JLQC-2.4"])).content.decode()


def test_a_clause_dropped_by_the_current_version_shows_its_last_wording(published, org, as_):
    publish(V2021, org.jls)
    page = as_(org.bob).get(reverse("standards:clause", args=["JLQC-1.2"])).content.decode()
    assert "节假日前一天可延时营业。" in page and "现行版本已删除本条款" in page


def test_a_draft_only_clause_is_not_readable(published, org, as_):
    standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    assert as_(org.bob).get(reverse("standards:clause", args=["JLQC-2.5"])).status_code == 404


def test_search_finds_chinese_substrings_and_marks_them(published, org, as_):
    response = as_(org.bob).get(reverse("standards:search"), {"q": "保价"})
    page = response.content.decode()
    assert page.count('class="hit"') == 2  # 第四条 (保价邮件) and 第四条之一 (未保价)
    assert "<mark>保价</mark>" in page
    assert "吉林市分公司营业服务规范" in page


def test_search_needs_every_word(published, org, as_):
    page = as_(org.bob).get(reverse("standards:search"), {"q": "给据  丢失"}).content.decode()
    assert page.count('class="hit"') == 1 and "第四条之一 未保价" in page
    assert "没有找到" in as_(org.bob).get(reverse("standards:search"), {"q": "不存在的词"}).content.decode()


def test_staff_pages_need_a_sign_in(published, client):
    response = client.get(reverse("standards:list"))
    assert response.status_code == 302 and "login" in response["Location"]
