#!/usr/bin/python3
"""Reads an SVG file with Python's XML parser and prints what it holds, as JSON, for the tests.

usage: svg_check.py FILE

Exit 0 and a JSON object on stdout when FILE is well-formed XML whose root is an <svg> element in
the SVG namespace:
  {"root": "svg", "width": ..., "height": ..., "elements": {"path": 3, ...},
   "classes": {"line": 2, ...}, "titles": [...], "texts": [...], "legend_overlaps": 0}
legend_overlaps counts the places where something plotted lies under a legend's box: a point of a
line (its vertices, and points every 2 pixels along each segment) or a marker's centre, each within
the <svg> element (a plot; a document may hold several) that holds the legend.
Exit 1 with the parser's message on stderr otherwise.
"""
import json
import re
import sys
import xml.dom.minidom

SVG_NS = "http://www.w3.org/2000/svg"


def text_of(node):
    return "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)


def own_descendants(svg, tag):
    """The elements with this tag inside svg but not inside an <svg> nested in it."""
    found = []
    for node in svg.getElementsByTagName(tag):
        parent = node.parentNode
        while parent is not None and parent is not svg and getattr(parent, "tagName", "") != "svg":
            parent = parent.parentNode
        if parent is svg:
            found.append(node)
    return found


def path_points(d):
    """The points of an SVG path made of M and L commands, every 2 pixels along each segment."""
    points, pen = [], None
    for command, x, y in re.findall(r"([ML])\s*(-?[\d.]+)[ ,]+(-?[\d.]+)", d):
        x, y = float(x), float(y)
        if command == "L" and pen is not None:
            steps = max(1, int(max(abs(x - pen[0]), abs(y - pen[1])) / 2))
            points += [(pen[0] + (x - pen[0]) * k / steps, pen[1] + (y - pen[1]) * k / steps) for k in range(1, steps + 1)]
        else:
            points.append((x, y))
        pen = (x, y)
    return points


def legend_overlaps(root):
    overlaps = 0
    for svg in [root] + root.getElementsByTagName("svg"):
        for group in own_descendants(svg, "g"):
            if "legend" not in group.getAttribute("class").split():
                continue
            box = group.getElementsByTagName("rect")[0]
            x0, y0 = float(box.getAttribute("x")), float(box.getAttribute("y"))
            x1, y1 = x0 + float(box.getAttribute("width")), y0 + float(box.getAttribute("height"))
            inside = lambda x, y: x0 <= x <= x1 and y0 <= y <= y1
            for path in own_descendants(svg, "path"):
                if "line" in path.getAttribute("class").split():
                    overlaps += sum(1 for x, y in path_points(path.getAttribute("d")) if inside(x, y))
            for group_of_points in own_descendants(svg, "g"):
                if "points" not in group_of_points.getAttribute("class").split():
                    continue
                for circle in group_of_points.getElementsByTagName("circle"):
                    overlaps += inside(float(circle.getAttribute("cx")), float(circle.getAttribute("cy")))
                for rect in group_of_points.getElementsByTagName("rect"):
                    cx = float(rect.getAttribute("x")) + float(rect.getAttribute("width")) / 2
                    cy = float(rect.getAttribute("y")) + float(rect.getAttribute("height")) / 2
                    overlaps += inside(cx, cy)
    return overlaps


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
                      "elements": elements, "classes": classes, "titles": titles, "texts": texts,
                      "legend_overlaps": legend_overlaps(root)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
