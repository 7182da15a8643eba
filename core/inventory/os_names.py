"""An operating system as discovery tools name it, split into the catalogue's family and a version.

vCenter, ServiceNow and the cloud templates write one string ("Microsoft Windows Server 2019
(64-bit)", "CentOS 7 (64-bit)", "Red Hat Enterprise Linux 8 (64-bit)"); the catalogue asks for a
family (Windows, Linux, AIX, ...) and a version. The family comes from words that name it; the
version is what is left once the vendor, the family word and the bitness are taken away.
"""

import re
from functools import lru_cache

_BITNESS = re.compile(r"\(?\b(?:32|64)[- ]?bits?\)?|\bx(?:86_)?64\b|\bx86\b", re.IGNORECASE)
_LINUX = (
    "linux", "centos", "red hat", "rhel", "ubuntu", "debian", "suse", "sles", "opensuse",
    "fedora", "rocky", "almalinux", "alma linux", "oracle linux", "amazon linux", "photon",
    "coreos", "gentoo", "mandriva", "asianux", "miracle linux", "turbolinux",
)  # fmt: skip
_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Windows", ("windows",)),
    ("AIX", ("aix",)),
    ("Solaris", ("solaris", "sunos")),
    ("HP-UX", ("hp-ux", "hpux")),
    ("Linux", _LINUX),
)
_VENDOR_WORDS = re.compile(r"^(?:microsoft|ibm|oracle|sun|hp|hewlett[- ]packard)\s+", re.IGNORECASE)


def _has_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", text) is not None


@lru_cache(maxsize=4096)  # an inventory repeats a few dozen OS names
def os_family(text: str) -> str | None:
    """'CentOS 7 (64-bit)' -> 'Linux'; None when no family word is in the name."""
    lowered = text.lower()
    for family, words in _FAMILIES:
        if any(_has_word(lowered, word) for word in words):
            return family
    return None


@lru_cache(maxsize=4096)
def split_os(text: str) -> tuple[str | None, str | None]:
    """(family, version): 'Microsoft Windows Server 2019 (64-bit)' -> ('Windows', 'Server 2019').

    Linux distributions keep their name in the version ('CentOS 7'), since the family says
    only "Linux"; a name without a family word is (None, None).
    """
    family = os_family(text)
    if family is None:
        # vSphere's "Other (64-bit)", "Other (32-bit)": a guest of no listed family
        other = re.fullmatch(r"(?i)\s*other\b\W*", _BITNESS.sub(" ", text))
        return ("Other", None) if other else (None, None)
    rest = " ".join(_BITNESS.sub(" ", text).split())
    if family != "Linux":
        rest = _VENDOR_WORDS.sub("", rest)
        rest = re.sub(rf"(?i)^{re.escape(family)}\s*", "", rest)
        rest = re.sub(r"(?i)^(?:windows|sunos|hpux)\s*", "", rest)
    version = rest.strip(" -,") or None
    if version is not None and version.lower() == family.lower():
        version = None
    return family, version
