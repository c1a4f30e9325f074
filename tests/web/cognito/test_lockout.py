"""Failed-password lockout (``idmint.core.throttle``) on the wire, driven by boto3 and pycognito
against a live server: Cognito's "Lockout behavior for failed sign-in attempts".

After the clock is advanced only public actions are used: admin calls are SigV4-signed with the
real time, which the server checks against its (frozen) clock.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from idmint.core.throttle import delay
from tests.conftest import PASSWORD, FrozenClock, LiveServer, Pool, make_pool, make_user
from tests.web.cognito.test_srp import SRP_FLOWS, answer, client_for, start

WRONG = "Wr0ng-password!"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
EXCEEDED = ("NotAuthorizedException", "Password attempts exceeded")
OK = ("OK", "")
Answer = tuple[str, str]


def outcome(call: Callable[[], Any]) -> Answer:
    """``OK`` for tokens, else the Cognito error's ``__type`` and message."""
    try:
        result = call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    assert result["AuthenticationResult"]["AccessToken"]
    return OK


def password(cognito: Any, pool: Pool, username: str = "alice", pw: str = WRONG) -> Answer:
    """USER_PASSWORD_AUTH."""
    return outcome(
        lambda: cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": pw},
        )
    )


def admin_password(cognito: Any, pool: Pool, username: str = "alice", pw: str = WRONG) -> Answer:
    """ADMIN_USER_PASSWORD_AUTH (SigV4: only before the clock moves)."""
    return outcome(
        lambda: cognito.admin_initiate_auth(
            UserPoolId=pool.id,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": pw},
        )
    )


def srp(cognito: Any, pool: Pool, username: str = "alice", pw: str = WRONG) -> Answer:
    """USER_SRP_AUTH then PASSWORD_VERIFIER; the start itself must always succeed."""
    helper = client_for(cognito, pool, username, pw)
    challenge = start(cognito, helper)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    return outcome(lambda: answer(cognito, helper, challenge))


def failures(live: LiveServer, pool: Pool, subject: str) -> int:
    row = live.run(live.store.get_sign_in_attempts(pool.id, subject))
    return 0 if row is None else int(row.failures)


def test_five_failures_lock_until_the_lock_ends(
    cognito: Any, live: LiveServer, pool: Pool, clock: FrozenClock
) -> None:
    sub = make_user(cognito, pool)
    assert [password(cognito, pool) for _ in range(5)] == [INCORRECT] * 5
    assert password(cognito, pool, pw=PASSWORD) == EXCEEDED  # the right password, unchecked
    assert password(cognito, pool) == EXCEEDED  # and refusals do not count
    assert failures(live, pool, sub) == 5
    clock.advance(0.5)
    assert password(cognito, pool, pw=PASSWORD) == EXCEEDED
    clock.advance(0.5)  # the 1 s lock of the fifth failure has ended
    assert password(cognito, pool, pw=PASSWORD) == OK
    assert failures(live, pool, sub) == 0  # a success clears the count
    assert [password(cognito, pool) for _ in range(4)] == [INCORRECT] * 4
    assert password(cognito, pool, pw=PASSWORD) == OK  # four failures lock nothing
    assert [password(cognito, pool) for _ in range(5)] == [INCORRECT] * 5
    assert password(cognito, pool) == EXCEEDED


def test_the_lock_doubles_up_to_fifteen_minutes(
    cognito: Any, live: LiveServer, pool: Pool, clock: FrozenClock
) -> None:
    doubling = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert [delay(n) for n in range(1, 17)] == [0] * 4 + doubling
    sub = make_user(cognito, pool)
    assert [password(cognito, pool) for _ in range(5)] == [INCORRECT] * 5
    locks: list[float] = []
    for n in range(6, 18):
        row = live.run(live.store.get_sign_in_attempts(pool.id, sub))
        lock = row.locked_until - row.updated_at
        locks.append(lock)
        clock.advance(lock - 0.5)
        assert password(cognito, pool, pw=PASSWORD) == EXCEEDED, n
        clock.advance(0.5)
        assert password(cognito, pool) == INCORRECT, n
        assert failures(live, pool, sub) == n
    assert locks == doubling
    clock.advance(899.5)
    assert password(cognito, pool, pw=PASSWORD) == EXCEEDED
    clock.advance(0.5)
    assert password(cognito, pool, pw=PASSWORD) == OK


def test_counts_decay_after_fifteen_quiet_minutes(
    cognito: Any, pool: Pool, clock: FrozenClock
) -> None:
    make_user(cognito, pool)
    assert [password(cognito, pool) for _ in range(4)] == [INCORRECT] * 4
    clock.advance(900)  # not yet: the count holds, and this is the fifth failure
    assert password(cognito, pool) == INCORRECT
    assert password(cognito, pool, pw=PASSWORD) == EXCEEDED
    clock.advance(1 + 900.5)  # the 1 s lock, then more than 15 minutes without attempts
    assert [password(cognito, pool) for _ in range(4)] == [INCORRECT] * 4  # counts 1 to 4
    assert password(cognito, pool, pw=PASSWORD) == OK
    for _ in range(3):  # an occasional typo never locks anyone
        assert [password(cognito, pool) for _ in range(4)] == [INCORRECT] * 4
        clock.advance(901)
    assert password(cognito, pool, pw=PASSWORD) == OK


def test_password_flows_share_one_count(cognito: Any, pool: Pool) -> None:
    make_user(cognito, pool)
    assert [admin_password(cognito, pool) for _ in range(3)] == [INCORRECT] * 3
    assert [password(cognito, pool) for _ in range(2)] == [INCORRECT] * 2
    assert admin_password(cognito, pool, pw=PASSWORD) == EXCEEDED
    assert password(cognito, pool, pw=PASSWORD) == EXCEEDED


def test_username_and_email_alias_share_one_count(
    cognito: Any, live: LiveServer, clock: FrozenClock
) -> None:
    pool = make_pool(cognito, pool_args={"AliasAttributes": ["email"]})
    sub = make_user(cognito, pool, "alice", email_verified="true")
    assert password(cognito, pool, "alice@example.com", PASSWORD) == OK
    assert [password(cognito, pool, "alice") for _ in range(3)] == [INCORRECT] * 3
    assert [password(cognito, pool, "alice@example.com") for _ in range(2)] == [INCORRECT] * 2
    assert failures(live, pool, sub) == 5
    assert password(cognito, pool, "alice@example.com", PASSWORD) == EXCEEDED
    assert password(cognito, pool, "alice", PASSWORD) == EXCEEDED
    clock.advance(1)
    assert password(cognito, pool, "alice@example.com", PASSWORD) == OK
    assert failures(live, pool, sub) == 0


def scripted(attempt: Callable[[str], Answer], clock: FrozenClock) -> list[Answer]:
    """Wrong passwords through two locks, with the waits in between."""
    answers = [attempt(WRONG) for _ in range(5)]
    answers.append(attempt(WRONG))  # locked for 1 s
    clock.advance(1)
    answers += [attempt(WRONG), attempt(WRONG)]  # the sixth failure, then locked for 2 s
    clock.advance(1)
    answers.append(attempt(WRONG))
    clock.advance(1)
    answers.append(attempt(WRONG))
    return answers


SCRIPT = [INCORRECT] * 5 + [EXCEEDED, INCORRECT, EXCEEDED, EXCEEDED, INCORRECT]


def test_unknown_usernames_lock_like_real_ones(cognito: Any, clock: FrozenClock) -> None:
    pool = make_pool(cognito, pool_args={"UsernameConfiguration": {"CaseSensitive": False}})
    make_user(cognito, pool, "alice")
    start_time = clock.now
    real = scripted(lambda pw: password(cognito, pool, "alice", pw), clock)
    clock.now = start_time  # the same script at the same times, for a name nobody has
    unknown = scripted(lambda pw: password(cognito, pool, "nobody", pw), clock)
    assert real == unknown == SCRIPT
    # The count is per normalised name: another spelling of it is locked too.
    assert password(cognito, pool, "NoBody", WRONG) == EXCEEDED
    assert password(cognito, pool, "somebody", WRONG) == INCORRECT


def test_unknown_usernames_lock_with_legacy_errors_too(cognito: Any) -> None:
    """With existence errors on, an unknown name says so until it is locked like any other."""
    pool = make_pool(cognito, prevent="LEGACY")
    not_found = ("UserNotFoundException", "User does not exist.")
    assert [password(cognito, pool, "nobody") for _ in range(5)] == [not_found] * 5
    assert password(cognito, pool, "nobody") == EXCEEDED


@pytest.fixture
def srp_pool(cognito: Any) -> Pool:
    return make_pool(cognito, client_args={"ExplicitAuthFlows": SRP_FLOWS})


def test_srp_answers_count_and_are_refused_while_locked(
    cognito: Any, live: LiveServer, srp_pool: Pool, clock: FrozenClock
) -> None:
    sub = make_user(cognito, srp_pool)
    assert [srp(cognito, srp_pool) for _ in range(3)] == [INCORRECT] * 3
    assert [password(cognito, srp_pool) for _ in range(2)] == [INCORRECT] * 2
    assert failures(live, srp_pool, sub) == 5
    # Locked: the start still answers (it checks nothing), the PASSWORD_VERIFIER answer not.
    assert srp(cognito, srp_pool, pw=PASSWORD) == EXCEEDED
    assert password(cognito, srp_pool, pw=PASSWORD) == EXCEEDED
    assert failures(live, srp_pool, sub) == 5
    clock.advance(1)
    assert srp(cognito, srp_pool) == INCORRECT  # the sixth failure: locked for 2 s
    assert srp(cognito, srp_pool, pw=PASSWORD) == EXCEEDED
    clock.advance(2)
    assert srp(cognito, srp_pool, pw=PASSWORD) == OK
    assert failures(live, srp_pool, sub) == 0


def test_srp_and_password_share_an_unknown_names_count(cognito: Any, clock: FrozenClock) -> None:
    """In an email pool USER_ID_FOR_SRP is a UUID, not the name typed, yet an unknown name's
    SRP answers and password sign-ins go to one count, as a real user's do."""
    pool = make_pool(
        cognito,
        pool_args={"UsernameAttributes": ["email"]},
        client_args={"ExplicitAuthFlows": SRP_FLOWS},
    )
    cognito.sign_up(ClientId=pool.client_id, Username="eve@example.com", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="eve@example.com")

    def mixed(name: str) -> list[Answer]:
        answers = [srp(cognito, pool, name) for _ in range(3)]
        answers += [password(cognito, pool, name) for _ in range(2)]
        answers += [srp(cognito, pool, name), password(cognito, pool, name)]
        clock.advance(1)
        answers += [password(cognito, pool, name), srp(cognito, pool, name)]
        return answers

    start_time = clock.now
    real = mixed("eve@example.com")
    clock.now = start_time
    unknown = mixed("ghost@example.com")
    expected = [INCORRECT] * 5 + [EXCEEDED, EXCEEDED, INCORRECT, EXCEEDED]
    assert real == unknown == expected


@pytest.fixture
def server_options() -> dict[str, Any]:
    """Room for every parallel guess below in the hashing queue: these tests are about the
    lock-out; refusals for overload (``hash_queue``) are tests/core/test_overload.py's."""
    return {"hash_queue": 32}


def parallel(calls: list[Callable[[], Answer]]) -> list[Answer]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_parallel_guesses_get_at_most_five_checks(
    live: LiveServer, cognito: Any, pool: Pool, username: str
) -> None:
    make_user(cognito, pool)
    clients = [live.client() for _ in range(20)]  # made here: boto3 sessions are not thread-safe
    answers = parallel(
        [partial(password, c, pool, username, f"{WRONG}{i}") for i, c in enumerate(clients)]
    )
    assert answers.count(INCORRECT) == 5
    assert answers.count(EXCEEDED) == 15
    assert password(cognito, pool, "alice", PASSWORD) == (EXCEEDED if username == "alice" else OK)


def test_parallel_srp_answers_get_at_most_five_checks(
    live: LiveServer, cognito: Any, srp_pool: Pool
) -> None:
    make_user(cognito, srp_pool)
    clients = [live.client() for _ in range(12)]
    helpers = [client_for(c, srp_pool, "alice", WRONG) for c in clients]
    challenges = [start(c, h) for c, h in zip(clients, helpers, strict=True)]
    answers = parallel(
        [
            partial(outcome, partial(answer, c, h, ch))
            for c, h, ch in zip(clients, helpers, challenges, strict=True)
        ]
    )
    assert answers.count(INCORRECT) == 5
    assert answers.count(EXCEEDED) == 7
