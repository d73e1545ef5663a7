"""Officer sign-in (OIDC, password or open local mode), sign-out, who is signed in, and the link secret.

- OIDC: when secrets hold an ``[auth]`` section, ``st.login`` signs officers in; their e-mail or
  name goes into the audit trail.
- Password: ``SITEFINDER_OFFICER_PASSWORD`` (or ``officer_password`` in secrets); officers also
  give their name, which the audit trail records. Failed attempts are throttled per browser
  session and per address (:mod:`ui.throttle`).
- Open local mode when neither is configured (a notice says so).
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from settings import CACHE_DIR
from ui.i18n import t
from ui.throttle import SignInThrottle

log = logging.getLogger(__name__)
MAX_NAME_CHARS = 80


@st.cache_resource(show_spinner=False)
def _throttle() -> SignInThrottle:
    return SignInThrottle()


def secret(name: str) -> str | None:
    """A value from ``st.secrets``, or None when there is none."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        return None
    return str(value) if value else None


def _has_auth_section() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def link_secret() -> str:
    """Secret that signs investor links: environment, then st.secrets, else a local file (mode 0600)."""
    value = os.environ.get("SITEFINDER_LINK_SECRET") or secret("link_secret")
    if value:
        return value
    return secret_file(CACHE_DIR / "link_secret")


def secret_file(path: Path) -> str:
    """The secret stored in ``path``, created (readable by the owner only) if missing.

    An existing file that others can read is tightened to 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def _client_keys() -> list[str]:
    ss = st.session_state
    ss.setdefault("auth_session_key", secrets.token_hex(8))
    keys = [f"session:{ss['auth_session_key']}"]
    address = getattr(st.context, "ip_address", None)
    if address:
        keys.append(f"ip:{address}")
    return keys


def officer_signed_in(lang: str) -> bool:
    """True if an officer may use the officer pages; else draws the sign-in form and returns False."""
    if secret("auth") is not None or _has_auth_section():
        if not st.user.is_logged_in:
            st.title(t("title", lang))
            st.button(t("sign_in", lang), on_click=st.login, type="primary")
            return False
        st.sidebar.button(t("sign_out", lang), on_click=st.logout, key="sign_out")
        return True
    password = os.environ.get("SITEFINDER_OFFICER_PASSWORD") or secret("officer_password")
    if not password:
        st.sidebar.info(t("open_mode", lang))
        return True
    if st.session_state.get("officer_ok"):
        st.sidebar.caption(t("signed_in_as", lang, name=st.session_state.get("officer_name", "")))
        st.sidebar.button(t("sign_out", lang), on_click=sign_out, key="sign_out")
        return True
    st.title(t("title", lang))
    with st.form("sign_in"):
        name = st.text_input(t("your_name", lang), max_chars=MAX_NAME_CHARS, key="officer_name_input")
        given = st.text_input(t("password", lang), type="password", key="password_input")
        if st.form_submit_button(t("sign_in", lang)):
            _try_password(given, password, name, lang)
    return False


def _try_password(given: str, password: str, name: str, lang: str) -> None:
    keys = _client_keys()
    throttle = _throttle()
    wait = throttle.wait_s(keys)
    if wait > 0:
        throttle.failed(keys)  # trying on during the back-off counts too
        st.error(t("sign_in_wait", lang, s=int(throttle.wait_s(keys)) + 1))
        return
    if not hmac.compare_digest(given.encode(), password.encode()):
        throttle.failed(keys)
        log.warning("failed officer sign-in (%s)", ", ".join(k.split(":", 1)[0] + ":" + k.split(":", 1)[1][:24]
                                                             for k in keys))
        st.error(t("wrong_password", lang))
        return
    clean = " ".join(name.split())[:MAX_NAME_CHARS]
    if not clean:
        st.error(t("name_needed", lang))
        return
    throttle.succeeded(keys[:1])
    st.session_state["officer_ok"] = True
    st.session_state["officer_name"] = clean
    log.info("officer signed in by password: %s", clean)
    st.rerun()


def sign_out() -> None:
    """Forget the password sign-in of this browser session."""
    for key in ("officer_ok", "officer_name", "password_input"):
        st.session_state.pop(key, None)


def officer_name() -> str:
    """Who the audit trail names: the OIDC user, the name given with the password, or open mode."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "officer")
    except (AttributeError, KeyError, StreamlitSecretNotFoundError):
        pass
    if st.session_state.get("officer_ok") and st.session_state.get("officer_name"):
        return f"{st.session_state['officer_name']} (password)"
    return "officer (open mode)"

