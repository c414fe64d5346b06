"""Turn a guide's section stream into a numbered outline with stable anchors.

The anchors follow the guide's own numbering, so a link can point at
"步骤 2 of 三（二）" as `#sec-3-2-step-2`, and an editor can pin an explicit
anchor on any section that must keep its address when sections are reordered.
"""

from dataclasses import dataclass, field

from cms.chinese import chinese_numeral


@dataclass
class Step:
    number: int
    anchor: str
    value: object  # the StepBlock StructValue


@dataclass
class Node:
    """A section or subsection: a title, an anchor and its content in order."""

    title: str
    anchor: str
    label: str  # 一、 / （一）
    depth: int
    items: list = field(default_factory=list)  # (kind, value) pairs; steps expanded
    children: list = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    sections: list

    def walk(self):
        for section in self.sections:
            yield from section.walk()

    def find(self, anchor: str):
        return next((node for node in self.walk() if node.anchor == anchor), None)


def _fill(node: Node, content) -> None:
    step_no = 0
    sub_no = 0
    for child in content or []:
        if child.block_type == "subsection":
            sub_no += 1
            sub = Node(
                title=child.value["title"],
                anchor=child.value["anchor"] or f"{node.anchor}-{sub_no}",
                label=f"（{chinese_numeral(sub_no)}）",
                depth=node.depth + 1,
            )
            _fill(sub, child.value["content"])
            node.children.append(sub)
            node.items.append(("subsection", sub))
        elif child.block_type == "steps":
            steps = []
            for value in child.value:
                step_no += 1
                steps.append(Step(step_no, f"{node.anchor}-step-{step_no}", value))
            node.items.append(("steps", steps))
        else:
            node.items.append((child.block_type, child.value))


def build_outline(stream) -> Outline:
    sections = []
    for index, block in enumerate(stream, start=1):
        value = block.value
        node = Node(
            title=value["title"],
            anchor=value["anchor"] or f"sec-{index}",
            label=f"{chinese_numeral(index)}、",
            depth=1,
        )
        _fill(node, value["content"])
        sections.append(node)
    return Outline(sections)
