"""Rules that hold for every route: sign-in required, CSRF on every form, role limits."""

from __future__ import annotations

import re

# POST routes any signed-in user may use (their own account, language, signing out).
OWN = {
    "/signin",
    "/signout",
    "/lang",
    "/account/password",
    "/account/tokens",
    "/account/tokens/{token_id}/revoke",
}


def concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def post_routes(app) -> list[str]:
    return sorted({path for path, methods in app.state.page_routes if "POST" in methods})


def test_every_post_route_needs_a_csrf_token(app, as_admin) -> None:
    routes = post_routes(app)
    assert len(routes) >= 15
    for path in routes:
        response = as_admin.client.post(concrete(path), data={"x": "1"})
        assert response.status_code == 403, path
        assert "Formulir kedaluwarsa" in response.text, path


def test_viewers_change_nothing(app, as_viewer) -> None:
    for path in post_routes(app):
        if path in OWN:
            continue
        response = as_viewer.post(concrete(path), {"x": "1"})
        assert response.status_code == 403, path


def test_supervisors_cannot_use_admin_routes(app, as_supervisor) -> None:
    for path in ("/users", "/users/{user_id}/deactivate", "/employees/import"):
        assert as_supervisor.post(concrete(path), {"x": "1"}).status_code == 403, path
    for path in ("/users", "/audit"):
        assert as_supervisor.get(path).status_code == 403, path


def test_every_api_route_needs_a_token(app) -> None:
    from fastapi.testclient import TestClient

    paths = [p for p in app.openapi()["paths"]]
    assert len(paths) >= 7
    with TestClient(app) as client:
        for path in paths:
            response = client.get(
                concrete(path).replace("/1/", "/x/") + "?year=2026&month=1&from=2026-01-01&to=2026-01-02"
            )
            assert response.status_code == 401, path
