"""An asset type read from a value that names a class, never from a word inside free text.

A class column holds "cmdb_ci_linux_server", "Virtual Machine", "Database Instance": short
values made only of class words. "Roofing (Metal)" or "Metal roofing, building B" hold other
words, so they are no type at all ("other"); the importer keeps the value as it was written in
`source_class` either way.
"""

import re
from functools import lru_cache

ASSET_TYPES = ("server", "virtual_machine", "database", "application", "network", "storage")

# Per type, the words that make a value that type, in the order types are tried.
_TYPE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("virtual_machine", frozenset({"virtual", "vm", "vms", "guest", "virtualmachine"})),
    ("database", frozenset({"database", "db", "dbms", "sql", "oracle", "postgres", "postgresql",
                            "mysql", "mssql", "mongodb", "db2", "databases"})),
    ("application", frozenset({"application", "app", "appl", "software", "webapp",
                               "applications"})),
    ("network", frozenset({"network", "netgear", "switch", "router", "firewall", "load",
                           "balancer", "lb", "gateway", "vpn", "wlan", "ip"})),
    ("storage", frozenset({"storage", "san", "nas", "array", "filer", "netapp"})),
    ("server", frozenset({"server", "servers", "physical", "host", "baremetal", "esx", "esxi",
                          "computer", "blade", "linux", "windows", "win", "unix", "aix",
                          "solaris", "hpux"})),
)  # fmt: skip
# Words that qualify a class without naming a type ("VMware Virtual Machine Instance").
_QUALIFIERS = frozenset(
    {"cmdb", "ci", "instance", "machine", "vmware", "hyperv", "hyper", "kvm", "xen", "ahv",
     "bare", "metal", "business", "service", "mainframe", "cluster", "node", "device",
     "microsoft", "ms", "rac", "sybase", "informix", "hana", "web", "ucs", "hp", "ibm", "x86",
     "cloud", "ec2", "azure", "aws", "type", "system", "systems", "tomcat", "weblogic"}
)  # fmt: skip
_ALL_WORDS = frozenset().union(*(words for _t, words in _TYPE_WORDS)) | _QUALIFIERS
MAX_CLASS_WORDS = 5


def _words(value: object) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(value if value is not None else "").lower())


@lru_cache(maxsize=4096)  # inventories repeat a handful of type spellings
def normalize_asset_type(value: object) -> str:
    """'Virtual Machine', 'cmdb_ci_win_server', 'DB' -> the asset type; anything else -> 'other'.

    A value is a class only when every word of it is a class word, so a word inside free text
    ("Roofing (Metal)") never makes a type.
    """
    words = _words(value)
    joined = "_".join(words)
    if joined in ASSET_TYPES or joined == "other":
        return joined
    if not words or len(words) > MAX_CLASS_WORDS or not all(w in _ALL_WORDS for w in words):
        return "other"
    for asset_type, markers in _TYPE_WORDS:
        if any(word in markers for word in words):
            return asset_type
    if "vmware" in words or ("bare" in words and "metal" in words):
        return "virtual_machine" if "vmware" in words else "server"
    return "other"
