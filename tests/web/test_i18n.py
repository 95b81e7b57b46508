"""Chinese by default; English when asked by ?lang=en (remembered) or by the browser's Accept-Language."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_chinese_is_the_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert 'lang="zh-CN"' in page


def test_lang_parameter_switches_to_english_and_is_remembered(client: FlaskClient) -> None:
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page
    assert 'lang="en"' in page
    assert "登录" in client.get("/login?lang=zh_CN").get_data(as_text=True)


def test_browser_language_is_honoured(client: FlaskClient) -> None:
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert "Log in" in english
    assert "登录" in chinese


def test_error_pages_speak_the_users_language(client: FlaskClient) -> None:
    assert "页面不存在" in client.get("/p/ZZZZZ").get_data(as_text=True)
    assert "does not exist" in client.get("/p/ZZZZZ?lang=en").get_data(as_text=True)


def test_json_clients_get_a_json_error(client: FlaskClient) -> None:
    response = client.get("/p/ZZZZZ", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "页面不存在，请核对牌板上的编码。"}
