r"""Run lengths of an EWMA chart by a Markov-chain approximation: :func:`ewma_arl` and
:func:`ewma_signal_probability`."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from ..._core.validation import check_int, check_real

__all__ = ["ewma_arl", "ewma_signal_probability"]

_ERF = np.frompyfunc(math.erf, 1, 1)


def _phi(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """The standard normal distribution function."""
    erf = np.asarray(_ERF(x / math.sqrt(2.0)), dtype=np.float64)
    return 0.5 * (1.0 + erf)


def ewma_arl(
    smoothing: float = 0.2,
    limit: float = 3.0,
    shift: float = 0.0,
    *,
    exact_limits: bool = True,
    states: int = 301,
) -> float:
    r"""The average run length of a two-sided EWMA chart of independent normal values.

    Parameters
    ----------
    smoothing
        The EWMA weight :math:`\lambda \in (0, 1]`.
    limit
        The limit width :math:`L`, in standard deviations of the statistic.
    shift
        The shift of the mean from the start, in standard deviations of one value: 0
        gives the in-control run length ARL0 (periods between false alarms), a shift
        the mean delay to detect it (ARL1).
    exact_limits
        True (the default, as :func:`~engagemetrics.metrics.trends.control_chart`
        draws them): the limits :math:`\pm L \sigma_t` of the exact variance
        :math:`\sigma_t^2 = \frac{\lambda}{2 - \lambda}[1 - (1 - \lambda)^{2t}]`, narrow at
        first. False: the asymptotic limits :math:`\pm L \sqrt{\lambda / (2 - \lambda)}`
        of the published tables.
    states
        Number of states of the Markov chain (an even number is raised by one, so that a
        state is centered on 0; more is more precise).

    Returns
    -------
    float
        The expected number of periods up to and including the first signal, starting
        from :math:`z_0 = 0`.

    Raises
    ------
    InvalidParameterError
        If ``smoothing`` is not in (0, 1], ``limit`` not > 0, ``shift`` not finite, or
        ``states`` not an integer from 11 to 2001.

    Notes
    -----
    Brook and Evans (1972), as Lucas and Saccucci (1990) apply it to the EWMA
    :math:`z_t = (1 - \lambda) z_{t-1} + \lambda x_t`, :math:`x_t \sim N(\delta, 1)`:
    the continuation region :math:`[-h, h]`, :math:`h = L \sqrt{\lambda / (2 -
    \lambda)}`, is cut into :math:`m` intervals of width :math:`w = 2h/m` with centers
    :math:`c_i`; the chain moves from :math:`i` to :math:`j` with probability

    .. math::
        Q_{ij} = \Phi\!\left(\frac{c_j + w/2 - (1 - \lambda) c_i}{\lambda} - \delta\right)
               - \Phi\!\left(\frac{c_j - w/2 - (1 - \lambda) c_i}{\lambda} - \delta\right).

    With asymptotic limits the ARL is :math:`e_0^\top (I - Q)^{-1} \mathbf{1}` from the
    state holding 0. With exact limits the region at step :math:`t` is :math:`[-L
    \sigma_t, L \sigma_t]`: the state distribution is carried step by step (states
    outside absorbed) until :math:`\sigma_t` is within :math:`10^{-12}` of its limit,
    and the rest of the sum is :math:`p_T^\top (I - Q)^{-1} \mathbf{1}`. The run length
    is :math:`\sum_{t \ge 0} P(RL > t)`.

    References
    ----------
    Brook, D. and Evans, D. A. (1972). An approach to the probability distribution of
    CUSUM run length. *Biometrika* 59, 539-549.
    Lucas, J. M. and Saccucci, M. S. (1990). Exponentially weighted moving average
    control schemes: properties and enhancements. *Technometrics* 32, 1-12.
    Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th ed.,
    Wiley, section 9.2.

    Examples
    --------
    >>> round(ewma_arl(0.25, 3.0, 1.0, exact_limits=False), 2)  # SAS EWMAARL: 11.154
    11.15
    >>> round(ewma_arl())  # the default chart's ARL0, in periods
    555
    >>> round(ewma_arl(shift=1.0), 1)  # and its mean delay to flag a one-sigma shift
    9.9
    """
    lam, width, centers, q = _chain("ewma_arl", smoothing, limit, shift, states)
    m = len(centers)
    tail = np.linalg.solve(np.eye(m) - q, np.ones(m))  # expected further periods per state
    if not exact_limits:
        return float(tail[m // 2])
    h = width * math.sqrt(lam / (2.0 - lam))
    total = 1.0  # P(RL > 0)
    for t, p in enumerate(_survivors(lam, width, centers, q), start=1):
        half = width * math.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
        if h - half < 1e-12 * h or t > 10_000:
            return total + float(p @ tail)
        total += float(p.sum())
    raise AssertionError("unreachable")  # pragma: no cover


def ewma_signal_probability(
    smoothing: float = 0.2,
    limit: float = 3.0,
    shift: float = 0.0,
    *,
    within: int,
    states: int = 301,
) -> float:
    r"""The probability that an EWMA chart signals within ``within`` periods.

    The same Markov chain as :func:`ewma_arl`, with the chart's exact limits: the
    probability that the run length is at most ``within``, for a shift present from the
    first period (a false alarm when ``shift`` is 0).

    Raises
    ------
    InvalidParameterError
        As :func:`ewma_arl`, and for ``within`` below 1.

    Examples
    --------
    >>> round(ewma_signal_probability(shift=2.0, within=6), 3)  # a two-sigma shift
    0.976
    >>> round(ewma_signal_probability(shift=1.0, within=10), 3)
    0.638
    """
    where = "ewma_signal_probability"
    lam, width, centers, q = _chain(where, smoothing, limit, shift, states)
    periods = check_int(within, "within", where, minimum=1)
    for t, p in enumerate(_survivors(lam, width, centers, q), start=1):
        if t == periods:
            return 1.0 - float(p.sum())
    raise AssertionError("unreachable")  # pragma: no cover


def _chain(
    where: str, smoothing: object, limit: object, shift: object, states: object
) -> tuple[float, float, NDArray[np.float64], NDArray[np.float64]]:
    """Checked parameters, the states' centers and the transition matrix."""
    lam = check_real(smoothing, "smoothing", where, minimum=0, maximum=1, include_minimum=False)
    width = check_real(limit, "limit", where, minimum=0, include_minimum=False)
    delta = check_real(shift, "shift", where)
    m = check_int(states, "states", where, minimum=11, maximum=2001)
    m += 1 - m % 2  # odd: a state centered on 0
    h = width * math.sqrt(lam / (2.0 - lam))
    w = 2.0 * h / m
    centers = np.asarray(-h + w * (np.arange(m) + 0.5), dtype=np.float64)
    start = centers[:, None] * (1.0 - lam)
    upper = _phi((centers[None, :] + w / 2 - start) / lam - delta)
    lower = _phi((centers[None, :] - w / 2 - start) / lam - delta)
    return lam, width, centers, upper - lower


def _survivors(
    lam: float, width: float, centers: NDArray[np.float64], q: NDArray[np.float64]
) -> Iterator[NDArray[np.float64]]:
    """From z_0 = 0, the probability of each state and no signal yet after t = 1, 2, ..."""
    p = np.zeros(len(centers))
    p[len(centers) // 2] = 1.0
    t = 0
    while True:
        t += 1
        half = width * math.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
        p = p @ q
        p[np.abs(centers) > half] = 0.0
        yield p
