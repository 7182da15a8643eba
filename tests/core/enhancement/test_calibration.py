"""Scores become probabilities measured on held-out predictions."""

from core.enhancement.calibration import Calibration, expected_calibration_error, fit_isotonic


def test_without_measurements_the_score_is_taken_as_it_is():
    assert Calibration()(0.42) == 0.42
    assert fit_isotonic([]) == Calibration()


def test_an_overconfident_score_is_brought_down_to_the_observed_accuracy():
    outcomes = [(0.9, index % 2 == 0) for index in range(400)]  # right half the time
    assert abs(fit_isotonic(outcomes)(0.9) - 0.5) < 0.05


def test_the_calibrated_probability_never_falls_as_the_score_rises():
    outcomes = [(s / 100, (s * 7) % 10 < s // 10) for s in range(100)] * 3
    calibrate = fit_isotonic(outcomes)
    probabilities = [calibrate(s / 50) for s in range(51)]
    assert probabilities == sorted(probabilities)
    assert all(0 <= p <= 1 for p in probabilities)


def test_expected_calibration_error_is_zero_when_confidence_matches_accuracy():
    honest = [(0.75, index % 4 != 0) for index in range(400)]
    assert expected_calibration_error(honest) == 0.0
    overconfident = [(0.95, index % 2 == 0) for index in range(400)]
    assert abs(expected_calibration_error(overconfident) - 0.45) < 1e-9
    assert expected_calibration_error([]) == 0.0
