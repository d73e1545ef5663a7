"""Issue 9, case 6: sign-in back-off and lockout (hand-computed waits), secret files readable by the owner only."""

from __future__ import annotations

import stat

from ui.auth import secret_file
from ui.throttle import SignInThrottle

KEYS = ["session:a", "ip:10.0.0.1"]


def test_case6_five_free_attempts_then_doubling_waits():
    t = SignInThrottle(free_attempts=5, base_delay_s=2, max_delay_s=300, lockout_after=20, lockout_s=3600)
    for _ in range(4):
        t.failed(KEYS, now=100.0)
    assert t.wait_s(KEYS, now=100.0) == 0  # 4 failures: still free
    t.failed(KEYS, now=100.0)  # 5th
    assert t.wait_s(KEYS, now=100.0) == 2  # 2 * 2**0
    t.failed(KEYS, now=102.0)  # 6th
    assert t.wait_s(KEYS, now=102.0) == 4  # 2 * 2**1
    for i in range(3):
        t.failed(KEYS, now=200.0 + i)  # 7th-9th
    assert t.wait_s(KEYS, now=202.0) == 32  # 2 * 2**4
    for _ in range(20):
        t.failed(KEYS, now=300.0)
    assert t.wait_s(KEYS, now=300.0) == 3600  # locked out
    assert t.wait_s(KEYS, now=300.0 + 3599) == 1


def test_case6_200_guesses_in_a_row_keep_the_door_shut():
    t = SignInThrottle()
    now = 0.0
    for _ in range(200):
        now += 0.1
        t.failed(KEYS, now=now)
    assert t.wait_s(KEYS, now=now + 60) > 3000


def test_an_address_keeps_its_count_after_another_session_signs_in():
    t = SignInThrottle(free_attempts=1, base_delay_s=10)
    t.failed(KEYS, now=0.0)
    t.succeeded(KEYS[:1])
    assert t.wait_s(["session:a"], now=0.0) == 0 and t.wait_s(["ip:10.0.0.1"], now=0.0) == 10


def test_the_table_is_bounded():
    t = SignInThrottle(max_keys=100)
    for i in range(1_000):
        t.failed([f"ip:{i}"], now=0.0)
    assert t.failures("ip:999") == 1 and t.failures("ip:0") == 0


def test_case6_secret_file_is_created_readable_by_the_owner_only(tmp_path):
    path = tmp_path / "cache" / "link_secret"
    value = secret_file(path)
    assert len(value) >= 40 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_file(path) == value
    path.chmod(0o644)
    assert secret_file(path) == value and stat.S_IMODE(path.stat().st_mode) == 0o600
