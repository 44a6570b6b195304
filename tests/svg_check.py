#!/usr/bin/python3
"""Reads an SVG file with Python's XML parser and prints what it holds, as JSON, for the tests.

usage: svg_check.py FILE

Exit 0 and a JSON object on stdout when FILE is well-formed XML whose root is an <svg> element in
the SVG namespace:
  {"root": "svg", "width": ..., "height": ..., "elements": {"path": 3, ...},
   "classes": {"line": 2, ...}, "titles": [...], "texts": [...]}
Exit 1 with the parser's message on stderr otherwise.
"""
import json
import sys
import xml.dom.minidom

SVG_NS = "http://www.w3.org/2000/svg"


def text_of(node):
    return "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    try:
        document = xml.dom.minidom.parse(argv[0])
    except Exception as e:  # the parser's own message says where the XML broke
        print(f"{argv[0]}: not well-formed XML: {e}", file=sys.stderr)
        return 1
    root = document.documentElement
    if root.tagName != "svg" or root.getAttribute("xmlns") != SVG_NS:
        print(f"{argv[0]}: the root is <{root.tagName} xmlns=\"{root.getAttribute('xmlns')}\">, not an SVG <svg>",
              file=sys.stderr)
        return 1
    elements, classes, titles, texts = {}, {}, [], []
    for node in root.getElementsByTagName("*"):
        elements[node.tagName] = elements.get(node.tagName, 0) + 1
        for c in node.getAttribute("class").split():
            classes[c] = classes.get(c, 0) + 1
        if node.tagName == "title":
            titles.append(text_of(node))
        elif node.tagName == "text":
            texts.append(text_of(node))
    print(json.dumps({"root": root.tagName, "width": root.getAttribute("width"), "height": root.getAttribute("height"),
                      "elements": elements, "classes": classes, "titles": titles, "texts": texts}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
