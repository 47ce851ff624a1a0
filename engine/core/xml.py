"""The BPMN/DMN namespaces and the one safe way to read a definition's XML."""
from __future__ import annotations

from lxml import etree

from ..errors import DefinitionError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# no entities, no network, no DTD: a definition file is data from outside
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False,
                              huge_tree=False)


def bpmn(tag: str) -> str:
    """The qualified name of a BPMN element, e.g. ``bpmn("subProcess")``."""
    return f"{{{BPMN_NS}}}{tag}"


MAX_DEFINITION_BYTES = 5 * 1024 * 1024
_REFUSED_DECLARATION = (
    "bevat een DOCTYPE- of ENTITY-declaratie; die zijn niet toegestaan in een procesbestand "
    "(ze kunnen bestanden van de server lezen of de server laten vastlopen). Verwijder de declaratie"
)


def parse_definition(name: str, text: str | bytes) -> etree._Element:
    """Parse one BPMN/DMN file; DOCTYPE and ENTITY declarations and files over 5 MB are refused."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_DEFINITION_BYTES:
        raise DefinitionError(
            f"{name}: het bestand is {len(data) / (1024 * 1024):.1f} MB; een procesbestand mag hoogstens "
            f"{MAX_DEFINITION_BYTES // (1024 * 1024)} MB zijn",
            file=name,
        )
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise DefinitionError(f"{name}: {_REFUSED_DECLARATION}", file=name)
    try:
        root = etree.fromstring(data, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"{name}: geen geldige XML ({exc})", file=name) from exc
    # Other encodings (UTF-16) hide a declaration from the byte check above: ask the parser too.
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or any(
            isinstance(node, etree._Entity) for node in root.iter()):
        raise DefinitionError(f"{name}: {_REFUSED_DECLARATION}", file=name)
    # Spiff 3.2.0 reads triggeredByEvent as a namespaced attribute, while modelers
    # write it plain: without this an event subprocess silently becomes an
    # ordinary subprocess that never starts.
    for node in root.iter(bpmn("subProcess")):
        if node.get("triggeredByEvent") == "true":
            node.set(bpmn("triggeredByEvent"), "true")
    return root


# decision files of earlier DMN versions (Camunda Modeler before 4 wrote 1.1): the same decision-table
# elements under another namespace; their diagram information (DMNDI 1.2) has no place in 1.3
OLDER_DMN = {"http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1", "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2"}
_OLDER_DMN_DIAGRAM = ("http://www.omg.org/spec/DMN/20180521/DMNDI/", "http://www.omg.org/spec/DMN/20180521/DC/",
                      "http://www.omg.org/spec/DMN/20180521/DI/")


def dmn_in_13(name: str, text: str) -> tuple[str, str | None]:
    """A decision file as DMN 1.3, the version Werkpad reads: a DMN 1.1 or 1.2 file gets the 1.3
    namespace (its decision tables are written the same way) and loses its 1.2 diagram elements.
    Returns the text and the version it came from (None: unchanged — already 1.3, another kind of
    file, or not readable, which the checks then say)."""
    if not any(namespace in text for namespace in OLDER_DMN):  # every 1.3 file saved: nothing to read
        return text, None
    try:
        root = parse_definition(name, text)
    except DefinitionError:
        return text, None
    old = etree.QName(root).namespace
    if old not in OLDER_DMN:
        return text, None
    # the namespace's name swapped where the file declares it: its prefixes stay as they were
    root = parse_definition(name, text.replace(old, DMN_NS))
    for node in list(root.iter()):
        if isinstance(node.tag, str) and etree.QName(node).namespace in _OLDER_DMN_DIAGRAM:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
    etree.cleanup_namespaces(root)
    converted = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + converted + "\n", OLDER_DMN[old]
