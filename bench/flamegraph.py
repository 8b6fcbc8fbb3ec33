#!/usr/bin/env python3
"""Renders collapsed stacks (async-profiler's `collapsed` output: "frame;frame;frame count" per line) as a
static flame graph SVG that a browser or GitHub shows as is: one box per frame, as wide as its share of the
samples, callers below callees, each box's full name and share in its tooltip.

    bench/flamegraph.py STACKS.txt OUT.svg [--title TEXT] [--min-share 0.001]
"""
import argparse
import html
import zlib

WIDTH = 1600
ROW = 17
FONT = 11
CHAR = 6.6  # average width of a character at FONT px


class Node:
    __slots__ = ("name", "count", "children")

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.children = {}


def read(path):
    root = Node("all")
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            root.count += n
            node = root
            for frame in stack.split(";"):
                node = node.children.setdefault(frame, Node(frame))
                node.count += n
    return root


def depth(node, min_count):
    """Rows needed for the frames drawn: those holding at least min_count samples."""
    return 1 + max((depth(c, min_count) for c in node.children.values() if c.count >= min_count), default=0)


def color(name):
    """Warm for Java, green for the JVM's own C++ frames, blue for the kernel, stable per name."""
    h = zlib.crc32(name.encode()) % 60
    if name.endswith("_[k]"):
        return f"rgb({80 + h},{130 + h},230)"
    if "/" in name or "." in name:
        return f"rgb(230,{100 + h * 2},{40 + h})"
    return f"rgb({90 + h},200,{90 + h})"


def label(name, width):
    short = name.rsplit("/", 1)[-1]
    fits = int((width - 6) / CHAR)
    if fits < 3:
        return ""
    return short if len(short) <= fits else short[: fits - 2] + ".."


def render(root, title, min_share):
    total = root.count
    rows = depth(root, min_share * total)
    height = rows * ROW + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="monospace" font-size="{FONT}">',
           '<rect width="100%" height="100%" fill="#fdfdf6"/>',
           f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15">{html.escape(title)}</text>',
           f'<text x="10" y="{height - 8}">{total} samples; hover a box for its frame and share</text>']

    def draw(node, x, level):
        width = node.count / total * (WIDTH - 20)
        if node.count / total < min_share:
            return
        y = height - 30 - (level + 1) * ROW
        share = 100.0 * node.count / total
        tip = html.escape(f"{node.name} ({node.count} samples, {share:.2f}%)")
        out.append(f'<g><title>{tip}</title><rect x="{x:.1f}" y="{y}" width="{max(width - 0.5, 0.1):.1f}" '
                   f'height="{ROW - 1}" fill="{color(node.name)}" rx="1"/>'
                   f'<text x="{x + 3:.1f}" y="{y + ROW - 5}">{html.escape(label(node.name, width))}</text></g>')
        child_x = x
        for child in sorted(node.children.values(), key=lambda c: c.name):
            draw(child, child_x, level + 1)
            child_x += child.count / total * (WIDTH - 20)

    draw(root, 10, 0)
    out.append("</svg>")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stacks")
    parser.add_argument("svg")
    parser.add_argument("--title", default="flame graph")
    parser.add_argument("--min-share", type=float, default=0.001,
                        help="leave out frames below this share of the samples (default: 0.001)")
    args = parser.parse_args()
    root = read(args.stacks)
    if root.count == 0:
        raise SystemExit(f"no samples in {args.stacks}")
    with open(args.svg, "w") as svg:
        svg.write(render(root, args.title, args.min_share))


if __name__ == "__main__":
    main()
