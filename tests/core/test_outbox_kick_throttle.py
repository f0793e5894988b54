"""A burst of commits in one process sends a few outbox kicks, never one that leaves a row behind."""

from distribution.core.outbox import KICK_SLACK, KICK_WINDOW, _KickThrottle


def test_the_first_kick_of_a_burst_goes_at_once_and_the_next_one_trails_by_a_window():
    throttle = _KickThrottle()
    assert throttle.plan("webhooks", 0, now=100.0) == 0
    assert throttle.plan("webhooks", 0, now=100.01) == KICK_WINDOW  # a trailing kick the burst can rely on


def test_a_kick_is_left_out_only_while_one_already_sent_will_run_after_this_commit():
    throttle = _KickThrottle()
    throttle.plan("webhooks", 0, now=100.0)
    throttle.plan("webhooks", 0, now=100.01)  # trailing: due at 100.01 + KICK_WINDOW
    assert throttle.plan("webhooks", 0, now=100.05) is None  # covered: that dispatch starts after this row committed
    assert throttle.plan("webhooks", 0, now=100.01 + KICK_WINDOW - KICK_SLACK / 2) is not None  # too close to rely on: sent


def test_sending_over_a_second_of_commits_is_bounded_by_the_window():
    throttle = _KickThrottle()
    sent = sum(throttle.plan("webhooks", 0, now=100 + i / 1000) is not None for i in range(1000))
    assert sent <= 2 * (1 / KICK_WINDOW) + 2


def test_a_delayed_row_is_covered_only_by_a_kick_due_no_earlier_than_it():
    throttle = _KickThrottle()
    assert throttle.plan("webhooks", 5, now=100.0) == 5
    # an immediate row is not covered by a kick five seconds away (it would wait), nor the reverse
    assert throttle.plan("webhooks", 0, now=100.01) == 0
    assert throttle.plan("webhooks", 5, now=100.02) == 5 + KICK_WINDOW  # the first is due before this row
    assert throttle.plan("webhooks", 5, now=100.03) is None


def test_queues_are_kicked_independently_and_a_failed_kick_is_forgotten():
    throttle = _KickThrottle()
    throttle.plan("webhooks", 0, now=100.0)
    throttle.plan("webhooks", 0, now=100.01)
    assert throttle.plan("default", 0, now=100.02) == 0
    throttle.forget("webhooks")
    assert throttle.plan("webhooks", 0, now=100.03) == 0
