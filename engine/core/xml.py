"""The BPMN/DMN namespaces and the one safe way to read a definition's XML."""
from __future__ import annotations

from lxml import etree

from ..errors import DefinitionError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
# no entities, no network, no DTD: a definition file is data from outside
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False,
                              huge_tree=False)


def bpmn(tag: str) -> str:
    """The qualified name of a BPMN element, e.g. ``bpmn("subProcess")``."""
    return f"{{{BPMN_NS}}}{tag}"


def parse_definition(name: str, text: str | bytes) -> etree._Element:
    """Parse one BPMN/DMN file; DOCTYPE and ENTITY declarations are refused."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise DefinitionError(f"{name}: DOCTYPE/ENTITY-declaraties zijn niet toegestaan")
    try:
        root = etree.fromstring(data, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"{name}: geen geldige XML ({exc})") from exc
    # Spiff 3.2.0 reads triggeredByEvent as a namespaced attribute, while modelers
    # write it plain: without this an event subprocess silently becomes an
    # ordinary subprocess that never starts.
    for node in root.iter(bpmn("subProcess")):
        if node.get("triggeredByEvent") == "true":
            node.set(bpmn("triggeredByEvent"), "true")
    return root
