"""The staff H5 (/m/), what every face links to, the language switch, and the no-inline-code rule."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve

TABS = [("/m/", "首页"), ("/m/learn/", "学习"), ("/m/contests/", "竞赛"), ("/m/me/", "我的")]
PERSONAS = ["alice", "bob", "hank", "dave", "charlie", "carl", "erin", "dora", "sam"]


class Page(HTMLParser):
    """The parts of a served page these tests look at."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def with_class(self, tag, *classes):
        return [a for t, a in self.tags if t == tag and set(classes) <= set((a.get("class") or "").split())]

    def links(self) -> list[str]:
        """Every URL the page makes the browser fetch or offers to follow (hrefs, srcs, form actions)."""
        urls = [a["href"] for t, a in self.tags if t in ("a", "link") and a.get("href")]
        urls += [a["src"] for t, a in self.tags if t in ("script", "img") and a.get("src")]
        return urls

    def form_actions(self) -> list[str]:
        return [a["action"] for t, a in self.tags if t == "form" and a.get("action")]


def page(client, url) -> Page:
    response = client.get(url)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    return Page(response.content.decode())


# --- The four tabs -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_tab_renders_for_every_role(as_, org, persona):
    client = as_(getattr(org, persona))
    for url, title in TABS:
        response = client.get(url)
        assert response.status_code == 200, (persona, url)
        assert f"<title>{title} ·" in response.content.decode()


@pytest.mark.parametrize("url", [url for url, _ in TABS])
def test_the_tabs_need_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/accounts/login/?next={url}"


def test_a_person_left_without_any_role_is_refused_the_staff_pages(as_, org):
    org.bob.role_links.all().delete()
    client = as_(org.bob)
    for url, _ in TABS:
        assert client.get(url).status_code == 403


def test_the_site_root_sends_each_person_to_their_face(client, org):
    assert client.get("/").url == "/accounts/login/"
    client.force_login(org.bob, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").url == "/m/"
    client.force_login(org.hank, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").url == "/manage/"


@pytest.mark.parametrize("url, label", TABS)
def test_the_tab_bar_highlights_the_current_tab(as_, org, url, label):
    p = page(as_(org.bob), url)
    tabs = p.with_class("a", "tab")
    assert [t["href"] for t in tabs] == [u for u, _ in TABS]
    assert [t["href"] for t in p.with_class("a", "tab", "active")] == [url]


def test_the_tab_bar_labels_read_home_learn_contests_me(as_, org):
    p = page(as_(org.bob), "/m/")
    text = " ".join(p.text)
    for _, label in TABS:
        assert label in text


def test_home_greets_the_person_with_their_unit_and_outlet(as_, org):
    text = " ".join(page(as_(org.bob), "/m/").text)
    assert "你好，鲍勃" in text and "北京路支局" in text and "北京路营业所" in text


def test_home_names_the_unit_once_when_the_outlet_bears_its_name(as_, org):
    org.o_cy.name = org.cy_bjl.name
    org.o_cy.save(update_fields=["name"])
    text = page(as_(org.bob), "/m/").text
    assert "北京路支局" in text and "北京路支局 · 北京路支局" not in " ".join(text)


def test_home_offers_my_units_figures_to_managers_only(as_, org, client):
    assert not page(as_(org.bob), "/m/").find("a", href="/manage/")
    client.logout()
    home = page(as_(org.hank), "/m/")  # 支局长, on the phone
    assert home.find("a", href="/manage/") and "本单位指标" in home.text


def test_me_shows_name_number_roles_and_unit(as_, org):
    text = " ".join(page(as_(org.bob), "/m/me/").text)
    for expected in ("鲍勃", "B001", "营业员", "北京路支局", "北京路营业所"):
        assert expected in text


def test_me_links_to_management_only_for_managers(as_, org, client):
    assert not page(as_(org.bob), "/m/me/").find("a", href="/manage/")
    client.logout()
    assert page(as_(org.alice), "/m/me/").find("a", href="/manage/")


def test_me_offers_password_change_language_and_logout(as_, org):
    p = page(as_(org.bob), "/m/me/")
    assert p.find("a", href="/accounts/password/")
    assert p.find("form", action="/i18n/setlang/", method="post")
    assert p.find("input", name="next", value="/m/me/")
    assert p.find("button", name="language", value="en")
    assert p.find("form", action="/accounts/logout/", method="post")


def test_contests_says_plainly_that_there_is_nothing_yet(as_, org):
    p = page(as_(org.bob), "/m/contests/")
    assert "目前没有你可以参加的竞赛或考试。" in p.text
    # Nothing to follow but the tab bar: no promises of pages that are not built.
    assert [a["href"] for a in p.find("a") if "tab" not in (a.get("class") or "")] == []


# --- No dead links --------------------------------------------------------------------------------


CRAWL = {
    None: ["/accounts/login/"],
    "bob": ["/m/", "/m/learn/", "/m/contests/", "/m/me/", "/accounts/password/"],
    "alice": ["/m/", "/m/me/", "/manage/", "/accounts/password/"],
}


@pytest.mark.parametrize("persona", list(CRAWL))
def test_no_page_links_to_a_url_that_does_not_exist(client, org, persona):
    if persona:
        client.force_login(getattr(org, persona), backend="django.contrib.auth.backends.ModelBackend")
    dead = []
    for url in CRAWL[persona]:
        p = page(client, url)
        for link in p.links():
            if link.startswith("#"):
                continue
            target = urlsplit(urljoin(f"http://testserver{url}", link))
            assert target.netloc == "testserver", f"{url} links off-site (assets must be vendored): {link}"
            if target.path.startswith(settings.STATIC_URL):
                if not finders.find(target.path.removeprefix(settings.STATIC_URL)):
                    dead.append((url, link))
                continue
            status = client.get(target.path + (f"?{target.query}" if target.query else "")).status_code
            if status == 404 or status >= 500:
                dead.append((url, link, status))
        for action in p.form_actions():
            try:
                resolve(urlsplit(action).path)
            except Resolver404:
                dead.append((url, action))
    assert dead == []


def test_the_login_page_and_h5_pull_no_asset_from_another_host(client, org):
    for url in ("/accounts/login/", "/m/"):
        if url == "/m/":
            client.force_login(org.bob, backend="django.contrib.auth.backends.ModelBackend")
        for link in page(client, url).links():
            assert not urlsplit(link).netloc, link


# --- Language ------------------------------------------------------------------------------------


def test_pages_are_chinese_by_default(as_, org):
    assert '<html lang="zh-hans">' in as_(org.bob).get("/m/").content.decode()


def test_english_can_be_chosen_and_sticks(as_, org):
    client = as_(org.bob)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/m/me/"})
    assert response.status_code == 302 and response.url == "/m/me/"
    assert '<html lang="en">' in client.get("/m/me/").content.decode()
    assert '<html lang="en">' in client.get("/m/").content.decode()


def test_the_language_switch_works_before_signing_in(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_the_language_switch_ignores_an_off_site_next(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert urlsplit(response.url).netloc == ""


# --- Strict CSP: no inline code ------------------------------------------------------------------


def inline_code(html: str) -> list[str]:
    found = []
    for tag, attrs in Page(html).tags:
        if tag == "script" and not attrs.get("src"):
            found.append("<script> without src")
        if tag == "style":
            found.append("<style> element")
        if "style" in attrs:
            found.append(f"style= on <{tag}>")
        found += [f"{name}= on <{tag}>" for name in attrs if name.startswith("on")]
    return found


def test_no_page_carries_inline_scripts_or_styles(client, org, settings):
    pages = {None: ["/accounts/login/"], "bob": [u for u, _ in TABS] + ["/accounts/password/"],
             "alice": ["/manage/"]}
    offenders = {}
    for persona, urls in pages.items():
        if persona:
            client.force_login(getattr(org, persona), backend="django.contrib.auth.backends.ModelBackend")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            if found := inline_code(response.content.decode()):
                offenders[url] = found
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post("/accounts/login/", {"username": "B001", "password": "wrong"})
    assert locked.status_code == 429
    if found := inline_code(locked.content.decode()):
        offenders["locked-out page"] = found
    assert offenders == {}


def test_no_staff_list_draws_its_own_chevron():
    """A linked cell (a.cell) gets its › from app.css; one written in the template as well showed two."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "postqc"
    cell = re.compile(r'<a class="cell"[^>]*>(?:(?!</a>).)*›(?:(?!</a>).)*</a>', re.S)
    offenders = [str(path.relative_to(root)) for path in root.rglob("templates/**/*.html")
                 if cell.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize(("url", "back"), [("/m/inspect/", "/m/"), ("/m/inspect/tasks/", "/m/"),
                                           ("/m/inspect/bulletins/", "/m/"), ("/m/inspect/ledger/", "/m/me/")])
def test_the_lists_reached_from_home_or_me_lead_back_there(as_, org, url, back):
    page = Page(as_(org.erin).get(url).content.decode())
    assert ("a", {"class": "back", "href": back}) in page.tags
