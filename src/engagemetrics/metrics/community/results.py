"""The results of dialogue between members: :class:`Reciprocity`, :class:`MemberPartners`,
:class:`MemberConversations` and :class:`DialogueSplit`, each holding counts and following
the result contract.

Per-member results are keyed by member id (sorted), so partial results of partitions
that number their members differently merge by adding the counts of equal ids. They
equal the result of the whole log when each unordered pair of members has all of its
messages in one partition (:func:`engagemetrics.scale.partition_keys` with
``pairs=True``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.results import Result, check_mergeable, same_dict, short_repr
from ..._core.validation import check_keys
from ...exceptions import DataError
from ...rates import Distribution, Rate, Rates

__all__ = ["DialogueSplit", "MemberConversations", "MemberPartners", "Reciprocity"]


def _ids(values: Sequence[Any] | NDArray[Any]) -> NDArray[Any]:
    """Member ids as an array: integers stay integers, anything else is an object array."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return read_only(array.astype(np.int64))
    out = np.empty(len(array), dtype=object)
    out[:] = [v.item() if isinstance(v, np.generic) else v for v in list(values)]
    return read_only(out)


def _counts(values: Any) -> NDArray[np.int64]:
    """Counts as a read-only int64 array (checked by :func:`_check_member_table`)."""
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise DataError(f"Counts must be one-dimensional integers; got {array!r}.")
    return read_only(array.astype(np.int64))


def _check_member_table(
    where: str, member: NDArray[Any], columns: Mapping[str, NDArray[np.int64]]
) -> None:
    for name, column in columns.items():
        if len(column) and int(column.min()) < 0:
            raise DataError(f"{where}.{name} must not be negative; got {int(column.min())}.")
        if len(column) != len(member):
            raise DataError(
                f"{where}.{name} must have one entry per member ({len(member)}); got "
                f"{len(column)}."
            )
    if len(member) > 1 and not bool(np.all(member[1:] > member[:-1])):
        raise DataError(f"{where}.member must be sorted and unique.")


def _sum_by_member(
    members: Sequence[NDArray[Any]], columns: Sequence[Sequence[NDArray[np.int64]]]
) -> tuple[NDArray[Any], list[NDArray[np.int64]]]:
    """The union of the member ids (sorted) and each column's counts added per id."""
    joined = np.concatenate([np.asarray(m, dtype=object) for m in members])
    if not len(joined):
        return _ids(joined), [np.zeros(0, dtype=np.int64) for _ in columns[0]]
    union, inverse = np.unique(joined, return_inverse=True)
    inverse = inverse.reshape(-1)
    sums = []
    for i in range(len(columns[0])):
        values = np.concatenate([c[i] for c in columns])
        sums.append(np.bincount(inverse, values, len(union)).astype(np.int64))
    return _ids(union), sums


# ---------------------------------------------------------------------- reciprocity --
@final
@attrs.frozen(eq=False, repr=False)
class Reciprocity(Result):
    r"""Per member, the members it sent messages to and how many of them wrote back.

    Attributes
    ----------
    member
        Ids of the members who sent at least one message to another member, sorted.
    sent_to
        Per member, the distinct members it sent to (its directed pairs).
    mutual
        Of those, the members who also sent to it (its reciprocated pairs).

    Notes
    -----
    With :math:`E` the set of directed pairs :math:`(a, b)` such that :math:`a` sent
    :math:`b` at least one message, reciprocity is the share of pairs whose reverse is
    also a pair (Wasserman & Faust 1994, ch. 13; Newman 2010, §7.10; networkx's
    ``overall_reciprocity``):

    .. math:: r = \frac{|\{(a, b) \in E : (b, a) \in E\}|}{|E|}
              = \frac{\sum_a \text{mutual}_a}{\sum_a \text{sent\_to}_a}
              = \frac{2M}{2M + A},

    :math:`M` the mutual dyads (unordered pairs with messages both ways) and :math:`A`
    the asymmetric ones. The two directed pairs of a mutual dyad are reciprocated
    together, so they are not independent observations: :meth:`interval` is computed on
    the dyads, the Wilson interval (or ``method``) of :math:`p = M / (M + A)`, mapped
    to :math:`r = 2p / (1 + p)` (increasing, so the bounds map to bounds). Dyads that
    share a member are still treated as independent; when a few hubs hold most dyads
    the interval is too narrow.
    """

    member: NDArray[Any] = attrs.field(converter=_ids)
    sent_to: NDArray[np.int64] = attrs.field(converter=_counts)
    mutual: NDArray[np.int64] = attrs.field(converter=_counts)

    def __attrs_post_init__(self) -> None:
        _check_member_table(
            "Reciprocity", self.member, {"sent_to": self.sent_to, "mutual": self.mutual}
        )
        if bool(np.any(self.mutual > self.sent_to)):
            raise DataError("Reciprocity.mutual must not exceed sent_to for any member.")

    def __repr__(self) -> str:
        return short_repr(
            "Reciprocity",
            {"members": len(self.member), "pairs": self.pairs, "reciprocated": self.reciprocated},
        )

    def __eq__(self, other: object) -> bool:
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def pairs(self) -> int:
        """Directed pairs :math:`|E|` (the sum of :attr:`sent_to`)."""
        return int(self.sent_to.sum())

    @property
    def reciprocated(self) -> int:
        """Directed pairs whose reverse exists (the sum of :attr:`mutual`)."""
        return int(self.mutual.sum())

    @property
    def mutual_dyads(self) -> int:
        """Unordered pairs with messages both ways, :math:`M`."""
        return self.reciprocated // 2

    @property
    def asymmetric_dyads(self) -> int:
        """Unordered pairs with messages one way only, :math:`A`."""
        return self.pairs - self.reciprocated

    @property
    def rate(self) -> Rate:
        """Reciprocity as a proportion: reciprocated directed pairs over directed pairs."""
        return Rate(
            float(self.reciprocated),
            float(self.pairs),
            numerator="reciprocated pairs",
            denominator="directed pairs",
        )

    @property
    def value(self) -> float:
        """:math:`r`; NaN (with a warning) when no member sent to another."""
        return self.rate.value

    def interval(
        self, *, method: str | None = None, confidence: float = 0.95
    ) -> tuple[float, float]:
        """The confidence interval of :math:`r`, computed on the dyads (see the Notes).

        ``method`` and ``confidence`` are those of :meth:`Rate.interval` (Wilson by
        default).

        Examples
        --------
        >>> r = Reciprocity(["a", "b", "c"], [2, 1, 1], [1, 1, 0])
        >>> r.value, r.mutual_dyads, r.asymmetric_dyads
        (0.5, 1, 2)
        >>> low, high = r.interval()
        >>> bool(low < r.value < high)
        True
        """
        dyads = Rate(float(self.mutual_dyads), float(self.mutual_dyads + self.asymmetric_dyads))
        low, high = dyads.interval(method=method, confidence=confidence)
        return 2 * low / (1 + low), 2 * high / (1 + high)

    def per_member(self) -> Rates:
        """Each member's reciprocity: mutual partners over the members it sent to.

        A member's directed pairs go to distinct members, so its own Wilson interval is
        the usual one (``.interval()`` of the :class:`Rates`)."""
        return Rates.from_arrays(
            self.member,
            self.mutual.astype(np.float64),
            self.sent_to.astype(np.float64),
            numerator="mutual partners",
            denominator="members sent to",
            key_name="member",
        )

    @classmethod
    def empty(cls) -> Reciprocity:
        """No member messages: the identity of :meth:`merge`."""
        return cls(np.empty(0, dtype=object), np.zeros(0, np.int64), np.zeros(0, np.int64))

    def merge(self, other: Reciprocity, /) -> Reciprocity:
        """Both, counts added per member (exact when no unordered pair is in both: route
        by the pair).

        Examples
        --------
        >>> a = Reciprocity(["ana", "bo"], [1, 1], [1, 1])
        >>> b = Reciprocity(["ana", "cy"], [1, 1], [0, 0])
        >>> (a + b).sent_to.tolist(), (a + b).mutual.tolist()
        ([2, 1, 1], [1, 1, 0])
        """
        check_mergeable(self, other, (), "Reciprocity.merge")
        member, (sent_to, mutual) = _sum_by_member(
            [self.member, other.member],
            [(self.sent_to, self.mutual), (other.sent_to, other.mutual)],
        )
        return Reciprocity(member, sent_to, mutual)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``member``, ``sent_to`` and ``mutual``."""
        return {
            "member": self.member.tolist(),
            "sent_to": self.sent_to.tolist(),
            "mutual": self.mutual.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Reciprocity:
        """The table :meth:`to_dict` wrote."""
        check_keys(data, ("member", "sent_to", "mutual"), "Reciprocity.from_dict",
                   required=("member", "sent_to", "mutual"))  # fmt: skip
        return cls(_ids(data["member"]), data["sent_to"], data["mutual"])

    def columns(self) -> dict[str, Any]:
        """One row per member: ``member``, ``sent_to`` and ``mutual``, for :meth:`to_frame`."""
        return {"member": self.member, "sent_to": self.sent_to, "mutual": self.mutual}


# ------------------------------------------------------------------------- partners --
@final
@attrs.frozen(eq=False, repr=False)
class MemberPartners(Result):
    r"""Per member, how many distinct members it exchanged messages with.

    Attributes
    ----------
    member
        Ids of the members with at least one partner, sorted.
    partners
        Per member, the members it sent to or received from (each counted once).

    Notes
    -----
    A member's partners are :math:`|\{b : (a, b) \in E \lor (b, a) \in E\}|`, its degree
    in the undirected graph of the messages (Newman 2010, §6.10); :meth:`distribution`
    is the degree distribution over the members who have a partner. Members who only
    receive are counted: they are partners too.
    """

    member: NDArray[Any] = attrs.field(converter=_ids)
    partners: NDArray[np.int64] = attrs.field(converter=_counts)

    def __attrs_post_init__(self) -> None:
        _check_member_table("MemberPartners", self.member, {"partners": self.partners})

    def __repr__(self) -> str:
        return short_repr(
            "MemberPartners",
            {"members": len(self.member), "max": int(self.partners.max(initial=0))},
        )

    def __eq__(self, other: object) -> bool:
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    def distribution(self) -> Distribution:
        """Members per number of partners (unit ``"partners"``).

        Examples
        --------
        >>> MemberPartners(["a", "b", "c"], [2, 1, 1]).distribution().columns()
        {'value': [1, 2], 'count': [2, 1]}
        """
        return Distribution.from_values(self.partners, unit="partners")

    @classmethod
    def empty(cls) -> MemberPartners:
        """No member messages: the identity of :meth:`merge`."""
        return cls(np.empty(0, dtype=object), np.zeros(0, np.int64))

    def merge(self, other: MemberPartners, /) -> MemberPartners:
        """Both, partners added per member (exact when no unordered pair is in both)."""
        check_mergeable(self, other, (), "MemberPartners.merge")
        member, (partners,) = _sum_by_member(
            [self.member, other.member], [(self.partners,), (other.partners,)]
        )
        return MemberPartners(member, partners)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``member`` and ``partners``."""
        return {"member": self.member.tolist(), "partners": self.partners.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> MemberPartners:
        """The table :meth:`to_dict` wrote."""
        check_keys(data, ("member", "partners"), "MemberPartners.from_dict",
                   required=("member", "partners"))  # fmt: skip
        return cls(_ids(data["member"]), data["partners"])

    def columns(self) -> dict[str, Any]:
        """One row per member: ``member`` and ``partners``, for :meth:`to_frame`."""
        return {"member": self.member, "partners": self.partners}


# -------------------------------------------------------------------- conversations --
@final
@attrs.frozen(repr=False)
class MemberConversations(Result):
    """Conversations between two members: how many, how many went both ways, how deep.

    Attributes
    ----------
    conversations
        Conversations: unordered pairs of members (within a thread, where the log has
        one) with at least one message.
    two_way
        Of those, the ones where both members wrote.
    messages
        Messages in them.
    turns
        Turns in them: runs of consecutive messages from one member, summed.
    """

    conversations: int
    two_way: int
    messages: int
    turns: int

    def __repr__(self) -> str:
        return short_repr("MemberConversations", attrs.asdict(self))

    @classmethod
    def empty(cls) -> MemberConversations:
        """No conversation: the identity of :meth:`merge`."""
        return cls(0, 0, 0, 0)

    def merge(self, other: MemberConversations, /) -> MemberConversations:
        """Each count added (exact when no conversation is in both)."""
        check_mergeable(self, other, (), "MemberConversations.merge")
        return MemberConversations(
            self.conversations + other.conversations,
            self.two_way + other.two_way,
            self.messages + other.messages,
            self.turns + other.turns,
        )

    def two_way_rate(self) -> Rate:
        """The share of conversations where both members wrote (a proportion)."""
        return Rate(float(self.two_way), float(self.conversations),
                    numerator="two-way conversations", denominator="conversations")  # fmt: skip

    def turns_per_conversation(self) -> Rate:
        """Mean turns per conversation (a count rate: turns over conversations)."""
        return Rate(float(self.turns), float(self.conversations), kind="count",
                    numerator="turns", denominator="conversations")  # fmt: skip

    def to_dict(self) -> dict[str, int]:
        """The four counts."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> MemberConversations:
        """The counts :meth:`to_dict` wrote."""
        names = ("conversations", "two_way", "messages", "turns")
        check_keys(data, names, "MemberConversations.from_dict", required=names)
        return cls(*(int(data[n]) for n in names))

    def columns(self) -> dict[str, list[int]]:
        """One row of the four counts, for :meth:`to_frame`."""
        return {k: [v] for k, v in self.to_dict().items()}


# ---------------------------------------------------------------------------- split --
@final
@attrs.frozen(repr=False)
class DialogueSplit(Result):
    """The conversation messages of a log, by who talks with whom.

    Attributes
    ----------
    brand_to_audience
        Messages the brand wrote (outbound, or sent by a brand account).
    audience_to_brand
        Audience messages to the brand: those without a recipient (comments, replies in
        the brand's threads) or with a brand account as recipient.
    member_to_member
        Audience messages to another member.
    to_self
        Messages whose recipient is their sender (kept out of the member metrics, and
        counted here so that none goes unseen).
    """

    brand_to_audience: int
    audience_to_brand: int
    member_to_member: int
    to_self: int

    def __repr__(self) -> str:
        return short_repr("DialogueSplit", attrs.asdict(self))

    @property
    def messages(self) -> int:
        """Every conversation message: the four counts added."""
        return (
            self.brand_to_audience + self.audience_to_brand + self.member_to_member + self.to_self
        )

    def member_share(self) -> Rate:
        """The share of conversation messages exchanged between members (a proportion)."""
        return Rate(float(self.member_to_member), float(self.messages),
                    numerator="member-to-member messages", denominator="messages")  # fmt: skip

    @classmethod
    def empty(cls) -> DialogueSplit:
        """No message: the identity of :meth:`merge`."""
        return cls(0, 0, 0, 0)

    def merge(self, other: DialogueSplit, /) -> DialogueSplit:
        """Each count added (exact: every message is counted where it is)."""
        check_mergeable(self, other, (), "DialogueSplit.merge")
        return DialogueSplit(
            self.brand_to_audience + other.brand_to_audience,
            self.audience_to_brand + other.audience_to_brand,
            self.member_to_member + other.member_to_member,
            self.to_self + other.to_self,
        )

    def to_dict(self) -> dict[str, int]:
        """The four counts."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> DialogueSplit:
        """The counts :meth:`to_dict` wrote."""
        names = ("brand_to_audience", "audience_to_brand", "member_to_member", "to_self")
        check_keys(data, names, "DialogueSplit.from_dict", required=names)
        return cls(*(int(data[n]) for n in names))

    def columns(self) -> dict[str, list[int]]:
        """One row of the four counts, for :meth:`to_frame`."""
        return {k: [v] for k, v in self.to_dict().items()}
