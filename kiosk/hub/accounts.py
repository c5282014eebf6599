"""Back-office accounts: roles and what each may do, passwords, TOTP, lockout, server-side sessions.

Everything the office's sign-in needs, and nothing of Flask: the blueprint calls these functions, the
tests call them directly. Rules from SECURITY.md: argon2id hashes; a TOTP second factor for supervisors
and administrators (a code is accepted once: its time step must be newer than the last one used);
each factor counts its own failures (a right password never clears wrong codes), every attempt is
counted before it is checked (so parallel guesses cannot exceed the limit), and the fifth failure pauses
sign-in for 5 minutes, doubling with each further failure up to a day, rather than locking for good (an
attacker could lock anyone); the administrator sees the paused accounts. Sessions are kept server-side with a 15-minute idle and an
8-hour absolute limit, a new id at sign-in and again once the second factor is given. The cookie holds
only a random id; the database holds its SHA-256, so a leaked table opens no session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from kiosk.hub import regions
from kiosk.hub.db import as_dict, office_sessions, password_resets, users
from kiosk.hub.store import HubStore

hasher = PasswordHasher()  # argon2id with the library's current defaults
MAX_FAILURES = 5
FIRST_PAUSE = dt.timedelta(minutes=5)
LONGEST_PAUSE = dt.timedelta(hours=24)
IDLE = dt.timedelta(minutes=15)
ABSOLUTE = dt.timedelta(hours=8)
MIN_PASSWORD = 12

# What each role may do. Least privilege: the administrator manages accounts and watches the fleet but
# reads no complaint; a handler sees only what is assigned to their department; the auditor reads all
# and changes nothing.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"users", "staff", "fleet", "approve_reset"}),
    "supervisor": frozenset(
        {
            "view_all",
            "handle",
            "assign",
            "close",
            "reopen",
            "export",
            "report",
            "dashboard",
            "fleet",
            "approve_reset",
            "staff_lookups",
        }
    ),
    "handler": frozenset({"view_department", "handle"}),
    "auditor": frozenset({"view_all", "export", "report", "dashboard", "fleet", "audit", "staff_lookups"}),
}
ROLE_NAMES = {
    "admin": "系统管理员",
    "supervisor": "纪检监察干部",
    "handler": "部门经办人",
    "auditor": "审计员",
}
NEEDS_TOTP = frozenset({"admin", "supervisor"})


class AccountError(ValueError):
    """A refused account operation, with words for the screen."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    department: str | None
    region: str = ""  # the region the account sees, with everything within it ('' = the whole hub)

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    def sees(self, region: str) -> bool:
        """Whether `region` lies within this account's region (a county's supervisor: not the prefecture)."""
        return regions.contains(self.region, region)

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


@dataclass(frozen=True)
class Session:
    token: str  # the cookie's value; only its hash is stored
    user: User
    stage: str  # 'password' while a second factor is owed, then 'full'
    csrf: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: dict) -> User:
    return User(row["name"], row["role"], row["department"], row["region"])


# -- accounts --------------------------------------------------------------------
def check_password_strength(password: str, name: str = "") -> None:
    """Raise AccountError unless `password` is long and hard to guess (zxcvbn's score 3 of 4 or better:
    it knows repeats, sequences, keyboard walks and the common-password lists, and the user's own name)."""
    if not password.strip():
        raise AccountError("密码不能全是空格")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要{MIN_PASSWORD}个字符")
    if zxcvbn(password[:100], user_inputs=[name] if name else [])["score"] < 3:
        raise AccountError(
            "密码太容易被猜到（重复字符、常见密码、键盘顺序或含用户名），请换一个更长、更不规则的密码"
        )


def create_user(
    store: HubStore,
    name: str,
    role: str,
    password: str,
    now: dt.datetime,
    *,
    department: str | None = None,
    region: str = "",
    by: User | None = None,
    replace: bool = False,
) -> None:
    """Create an account, scoped to `region` (a division code; '' = the whole hub). An existing name is
    refused: the back office resets an account with a token the holder uses (`request_reset`), never by
    overwriting it. An administrator (`by`) creates accounts only within their own region, by default in
    it. `replace` is for the server's own command line (`kiosk hub --add-user`), whose operator holds the
    database anyway; it clears the second factor."""
    try:
        region = regions.normalize(region) if region.strip() else (by.region if by else "")
    except regions.RegionError as error:
        raise AccountError(str(error)) from None
    if by is not None and not by.sees(region):
        raise AccountError(f"只能在本账号的地区（{by.region}）之内建立账号")
    if role not in PERMISSIONS:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(PERMISSIONS)}")
    if role == "handler" and not department:
        raise AccountError("a department handler needs --department")
    if not name or len(name) > 64 or name != name.strip():
        raise AccountError("a user name has 1 to 64 characters, without spaces at either end")
    check_password_strength(password, name)
    values = {
        "role": role,
        "department": department if role == "handler" else None,
        "region": region,
        "password_hash": hasher.hash(password),
        "totp_secret": None,
        "totp_last_step": 0,
        "failures": 0,
        "totp_failures": 0,
        "locked_until": None,
        "disabled_at": None,
    }
    with store.engine.begin() as conn:
        exists = conn.execute(sa.select(users.c.name).where(users.c.name == name)).first() is not None
        if exists and not replace:
            raise AccountError(
                f"账号 {name} 已经存在：要重置它，请用“重置密码”（由本人凭一次性口令设置新密码）"
            )
        if exists:
            conn.execute(sa.update(users).where(users.c.name == name).values(**values))
        else:
            conn.execute(sa.insert(users).values(name=name, created_at=now, **values))
        conn.execute(
            sa.update(office_sessions)
            .where(office_sessions.c.user_name == name)
            .where(office_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )


# -- password resets: a one-time token for the holder; a second person approves for the powerful roles ----
RESET_VALID = dt.timedelta(hours=24)
NEEDS_SECOND_PERSON = frozenset(
    {"admin", "supervisor", "auditor"}
)  # whose account opens complaints or accounts
APPROVERS = frozenset({"admin", "supervisor"})


@dataclass(frozen=True)
class ResetIssued:
    token: str  # shown once to the requester, to hand to the holder in person
    needs_approval: bool


def request_reset(
    store: HubStore, name: str, by: User, now: dt.datetime, *, new_second_factor: bool = False
) -> ResetIssued:
    """Issue a one-time reset token for `name`'s account. Nothing changes until the holder uses it; for an
    administrator's, supervisor's or auditor's account a second administrator or supervisor must approve
    first, so no one person can take over an account that reads complaints."""
    target = account(store, name, by.region)
    if target is None:
        raise AccountError(f"没有账号 {name}")
    if name == by.name:
        raise AccountError("不能重置自己的账号：请另一位管理员办理")
    token = secrets.token_urlsafe(24)
    needs_approval = target["role"] in NEEDS_SECOND_PERSON
    with store.engine.begin() as conn:
        conn.execute(  # one open reset per account: a new one replaces the old
            sa.update(password_resets)
            .where(password_resets.c.user_name == name)
            .where(password_resets.c.used_at.is_(None), password_resets.c.cancelled_at.is_(None))
            .values(cancelled_at=now)
        )
        conn.execute(
            sa.insert(password_resets).values(
                user_name=name,
                token_hash=_hash_token(token),
                requested_by=by.name,
                requested_at=now,
                expires_at=now + RESET_VALID,
                new_second_factor=new_second_factor,
                needs_approval=needs_approval,
            )
        )
    return ResetIssued(token, needs_approval)


def pending_resets(store: HubStore, now: dt.datetime, within: str = "") -> list[dict]:
    """Open resets (not used, cancelled or expired) of accounts within `within`, oldest first, for the
    approvers' list."""
    r = password_resets.c
    query = (
        sa.select(password_resets, users.c.role)
        .select_from(password_resets.join(users, users.c.name == r.user_name))
        .where(r.used_at.is_(None), r.cancelled_at.is_(None), r.expires_at > now)
        .where(regions.within(within, users.c.region))
        .order_by(r.id)
    )
    with store.engine.connect() as conn:
        return [dict(as_dict(row) or {}) for row in conn.execute(query).mappings()]


def approve_reset(store: HubStore, reset_id: int, by: User, now: dt.datetime) -> None:
    """A second administrator or supervisor approves: neither the requester nor the account's holder."""
    if by.role not in APPROVERS:
        raise AccountError("只有系统管理员或纪检监察干部可以批准重置")
    r = password_resets.c
    with store.engine.begin() as conn:
        row = (
            conn.execute(
                sa.select(password_resets)
                .select_from(password_resets.join(users, users.c.name == r.user_name))
                .where(r.id == reset_id, regions.within(by.region, users.c.region))
            )
            .mappings()
            .first()
        )
        if row is None or row["used_at"] or row["cancelled_at"] or not row["needs_approval"]:
            raise AccountError("没有等待批准的这项重置")
        if by.name in (row["requested_by"], row["user_name"]):
            raise AccountError("提出重置的人和账号本人都不能批准：请另一位管理员或纪检监察干部批准")
        conn.execute(
            sa.update(password_resets).where(r.id == reset_id).values(approved_by=by.name, approved_at=now)
        )


def reset_for_token(store: HubStore, token: str, now: dt.datetime) -> dict | None:
    """The open, approved (or not needing approval), unexpired reset behind `token`, or None."""
    r = password_resets.c
    with store.engine.connect() as conn:
        row = as_dict(
            conn.execute(sa.select(password_resets).where(r.token_hash == _hash_token(token)))
            .mappings()
            .first()
        )
    if row is None or row["used_at"] or row["cancelled_at"] or row["expires_at"] <= now:
        return None
    if row["needs_approval"] and not row["approved_by"]:
        return {**row, "waiting": True}
    return {**row, "waiting": False}


def use_reset(store: HubStore, token: str, password: str, now: dt.datetime) -> str:
    """The holder sets a new password with the token (once); returns the account's name.

    Every session of the account ends; a pause is lifted; the second factor is kept unless the reset was
    for a lost phone; the holder is told at the next sign-in who reset it and who approved."""
    reset = reset_for_token(store, token, now)
    if reset is None or reset["waiting"]:
        raise AccountError("这个重置口令无效、已用过、已过期或尚未批准")
    name = reset["user_name"]
    check_password_strength(password, name)
    approved = f"，{reset['approved_by']}批准" if reset["approved_by"] else ""
    notice = (
        f"您的密码已于{reset['requested_at']:%Y-%m-%d %H:%M}（UTC）由{reset['requested_by']}发起重置{approved}。"
        "如果不是您本人要求的，请立即报告纪检监察部门。"
    )
    values: dict[str, object] = {
        "password_hash": hasher.hash(password),
        "failures": 0,
        "totp_failures": 0,
        "locked_until": None,
        "notice": notice,
    }
    if reset["new_second_factor"]:
        values.update(totp_secret=None, totp_last_step=0)
    r = password_resets.c
    with store.engine.begin() as conn:
        claimed = conn.execute(
            sa.update(password_resets).where(r.id == reset["id"], r.used_at.is_(None)).values(used_at=now)
        ).rowcount
        if not claimed:  # used by a parallel request a moment ago
            raise AccountError("这个重置口令已经用过")
        conn.execute(sa.update(users).where(users.c.name == name).values(**values))
        conn.execute(
            sa.update(office_sessions)
            .where(office_sessions.c.user_name == name, office_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )
    return name


def dismiss_notice(store: HubStore, name: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == name).values(notice=""))


def account(store: HubStore, name: str, within: str = "") -> dict | None:
    """The account `name`, if it lies within the region `within` (an administrator's scope)."""
    query = sa.select(users).where(users.c.name == name, regions.within(within, users.c.region))
    with store.engine.connect() as conn:
        return as_dict(conn.execute(query).mappings().first())


def list_users(store: HubStore, within: str = "") -> list[dict]:
    """The accounts within the region `within`, by role and name."""
    query = (
        sa.select(users).where(regions.within(within, users.c.region)).order_by(users.c.role, users.c.name)
    )
    with store.engine.connect() as conn:
        return [dict(as_dict(r) or {}) for r in conn.execute(query).mappings()]


def unlock(store: HubStore, name: str) -> bool:
    """Lift a pause at once (the administrator, having spoken to the account's holder)."""
    with store.engine.begin() as conn:
        return (
            conn.execute(
                sa.update(users)
                .where(users.c.name == name)
                .values(failures=0, totp_failures=0, locked_until=None)
            ).rowcount
            == 1
        )


def disable(store: HubStore, name: str, now: dt.datetime) -> bool:
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(office_sessions)
            .where(office_sessions.c.user_name == name)
            .where(office_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )
        return (
            conn.execute(sa.update(users).where(users.c.name == name).values(disabled_at=now)).rowcount == 1
        )


def pause_for(failures: int) -> dt.timedelta:
    """How long sign-in pauses after `failures` (≥ MAX_FAILURES) attempts that were not right: 5 min, doubling."""
    return min(FIRST_PAUSE * 2 ** max(0, failures - MAX_FAILURES), LONGEST_PAUSE)


def locked(row: dict, now: dt.datetime) -> bool:
    """Is sign-in paused for this account at `now`?"""
    return row.get("locked_until") is not None and row["locked_until"] > now


@dataclass(frozen=True)
class Attempt:
    row: dict | None  # the account, as it was before this attempt
    allowed: bool  # False: unknown, disabled or paused; nothing may be checked
    pauses: bool  # this attempt, if it is not right, is the one that paused sign-in


def _claim_attempt(store: HubStore, name: str, counter: str, now: dt.datetime) -> Attempt:
    """Count an attempt at one factor before it is checked, under the account row's lock.

    The first UPDATE takes the row's write lock (PostgreSQL) or the database's (SQLite) until COMMIT, so
    claims are serialised: of forty parallel guesses, the first five are checked and the rest refused. The
    attempt that reaches the limit pauses sign-in in advance; if it turns out right, `_succeeded` clears it.
    """
    column = users.c[counter]
    with store.engine.begin() as conn:
        if not conn.execute(sa.update(users).where(users.c.name == name).values({column: column})).rowcount:
            return Attempt(None, False, False)
        row = as_dict(conn.execute(sa.select(users).where(users.c.name == name)).mappings().first())
        assert row is not None  # noqa: S101 - the row is locked by the update above
        if row["disabled_at"] is not None or locked(row, now):
            return Attempt(row, False, False)
        count = row[counter] + 1
        values: dict[str, object] = {counter: count}
        if count >= MAX_FAILURES:
            values["locked_until"] = now + pause_for(count)
        conn.execute(sa.update(users).where(users.c.name == name).values(**values))
    return Attempt(row, True, count >= MAX_FAILURES)


def paused_accounts(store: HubStore, now: dt.datetime, within: str = "") -> list[dict]:
    """Accounts within the region `within` whose sign-in is paused now (the administrator's notice),
    soonest free first."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(users.c.name, users.c.role, users.c.locked_until)
            .where(users.c.locked_until > now, regions.within(within, users.c.region))
            .order_by(users.c.locked_until)
        ).mappings()
        return [dict(as_dict(r) or {}) for r in rows]


# -- sign-in ----------------------------------------------------------------------
def check_password(store: HubStore, name: str, password: str, now: dt.datetime) -> tuple[User | None, str]:
    """(user, '') when right; (None, reason) otherwise: 'wrong', 'paused' (this failure paused sign-in),
    'locked' (already paused) or 'disabled'. Every answer costs one password hash, so none is faster
    than another (a paused or unknown account cannot be told apart by timing)."""
    attempt = _claim_attempt(store, name, "failures", now)
    if attempt.row is None or not attempt.allowed:
        _spend_a_check(password)
        if attempt.row is None:
            return None, "wrong"
        return None, "disabled" if attempt.row["disabled_at"] is not None else "locked"
    try:
        hasher.verify(attempt.row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None, "paused" if attempt.pauses else "wrong"
    with store.engine.begin() as conn:
        codes_paused = (
            users.c.totp_failures >= MAX_FAILURES
        )  # a right password does not lift a pause for codes
        conn.execute(
            sa.update(users)
            .where(users.c.name == name)
            .values(failures=0, locked_until=sa.case((codes_paused, users.c.locked_until), else_=None))
        )
    return _user(attempt.row), ""


_DUMMY_HASH = hasher.hash("not a password of anyone")


def _spend_a_check(password: str) -> None:
    """Verify against a dummy hash, so an unknown name takes as long as a wrong password (no user probing)."""
    with contextlib.suppress(VerificationError):
        hasher.verify(_DUMMY_HASH, password)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(name: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="Mingbai")


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step (of now and one either side, for clock drift) whose code is `code`."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    for drift in (-1, 0, 1):
        moment = now + dt.timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def check_totp(
    store: HubStore, name: str, code: str, now: dt.datetime, *, enrol_secret: str | None = None
) -> str:
    """'' if `code` is right and fresh; else 'wrong', 'replayed', 'paused' (this failure paused sign-in) or
    'locked'. With `enrol_secret`, a right code also makes that secret the account's second factor."""
    attempt = _claim_attempt(store, name, "totp_failures", now)
    if attempt.row is None or not attempt.allowed:
        return "locked"
    secret = enrol_secret or store.sealer.open(attempt.row["totp_secret"])
    step = _matching_step(secret, code, now) if secret else None
    if step is None:
        return "paused" if attempt.pauses else "wrong"
    with store.engine.begin() as conn:
        # Accept a step only once: the conditional update is the guard, so two requests racing with the same
        # code cannot both succeed.
        accepted = conn.execute(
            sa.update(users)
            .where(users.c.name == name)
            .where(users.c.totp_last_step < step)
            .values(
                totp_last_step=step,
                failures=0,
                totp_failures=0,
                locked_until=None,
                **({"totp_secret": store.sealer.seal(enrol_secret)} if enrol_secret else {}),
            )
        ).rowcount
    if not accepted:
        return "paused" if attempt.pauses else "replayed"
    return ""


# -- sessions -----------------------------------------------------------------------
def start_session(store: HubStore, user: User, stage: str, now: dt.datetime) -> Session:
    """A brand-new session (never a re-used id): at sign-in, and again once the second factor is given."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(office_sessions).values(
                id_hash=_hash_token(token),
                user_name=user.name,
                stage=stage,
                csrf=csrf,
                created_at=now,
                seen_at=now,
            )
        )
    return Session(token, user, stage, csrf)


def end_session(store: HubStore, token: str, now: dt.datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(office_sessions)
            .where(office_sessions.c.id_hash == _hash_token(token))
            .values(ended_at=now)
        )


def resume_session(store: HubStore, token: str, now: dt.datetime) -> tuple[Session | None, str]:
    """The live session behind a cookie, touched; or (None, reason): 'none', 'idle', 'expired', 'disabled'."""
    if not token:
        return None, "none"
    query = (
        sa.select(office_sessions, users.c.role, users.c.department, users.c.region, users.c.disabled_at)
        .select_from(office_sessions.join(users, users.c.name == office_sessions.c.user_name))
        .where(office_sessions.c.id_hash == _hash_token(token))
    )
    with store.engine.connect() as conn:
        row = as_dict(conn.execute(query).mappings().first())
    if row is None or row["ended_at"] is not None:
        return None, "none"
    reason = (
        "disabled"
        if row["disabled_at"] is not None
        else "expired"
        if now - row["created_at"] > ABSOLUTE
        else "idle"
        if now - row["seen_at"] > IDLE
        else ""
    )
    if reason:
        end_session(store, token, now)
        return None, reason
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(office_sessions)
            .where(office_sessions.c.id_hash == _hash_token(token))
            .values(seen_at=now)
        )
    return Session(
        token,
        User(row["user_name"], row["role"], row["department"], row["region"]),
        row["stage"],
        row["csrf"],
    ), ""
