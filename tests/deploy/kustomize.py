"""A small kustomize: enough of it to render deploy/k8s's overlays without the binary.

It knows the fields the overlays use (`resources`, `namespace`, `images`, `replicas` and inline
JSON 6902 `patches`) and refuses any other, so an overlay that grows past it fails loudly
instead of being checked half-rendered.
"""

from pathlib import Path
from typing import Any

import yaml

KNOWN_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"}

Manifest = dict[str, Any]


def load_documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def build(directory: Path) -> list[Manifest]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - KNOWN_FIELDS
    if unknown:
        raise ValueError(f"{directory}: fields this renderer does not know: {sorted(unknown)}")
    manifests: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        manifests += build(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches", []):
        _patch(manifests, patch)
    _set_replicas(manifests, kustomization.get("replicas", []))
    _set_images(manifests, kustomization.get("images", []))
    if "namespace" in kustomization:
        for manifest in manifests:
            if manifest["kind"] != "Namespace":
                manifest["metadata"]["namespace"] = kustomization["namespace"]
    return manifests


def _set_replicas(manifests: list[Manifest], entries: list[Manifest]) -> None:
    for entry in entries:
        scaled = [m for m in manifests if pod_spec(m) and m["metadata"]["name"] == entry["name"]]
        if len(scaled) != 1:
            raise ValueError(f"replicas: {entry['name']} matches {len(scaled)} workloads")
        scaled[0]["spec"]["replicas"] = entry["count"]


def _set_images(manifests: list[Manifest], entries: list[Manifest]) -> None:
    for entry in entries:
        name = entry.get("newName", entry["name"])
        image = f"{name}:{entry['newTag']}" if "newTag" in entry else name
        for manifest in manifests:
            for container in containers(manifest):
                if container["image"].split(":")[0] == entry["name"]:
                    container["image"] = image


def pod_spec(manifest: Manifest) -> Manifest | None:
    if manifest["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        spec: Manifest = manifest["spec"]["template"]["spec"]
        return spec
    return None


def containers(manifest: Manifest) -> list[Manifest]:
    spec = pod_spec(manifest)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec["containers"]]


def _only(manifests: list[Manifest], target: Manifest) -> Manifest:
    """The one manifest of the target's kind with the target's name."""

    def matches(manifest: Manifest) -> bool:
        return all(
            (manifest["kind"] if key == "kind" else manifest["metadata"].get(key)) == value
            for key, value in target.items()
        )

    found = [manifest for manifest in manifests if matches(manifest)]
    if len(found) != 1:
        raise ValueError(f"target {target} matches {len(found)} manifests")
    return found[0]


def _patch(manifests: list[Manifest], patch: Manifest) -> None:
    if set(patch) != {"target", "patch"}:
        raise ValueError(f"only inline patches with a target: {patch}")
    manifest = _only(manifests, patch["target"])
    for operation in yaml.safe_load(patch["patch"]):
        _apply(manifest, operation)


def _apply(document: Manifest, operation: Manifest) -> None:
    """One JSON 6902 add, replace or remove."""
    *parents, last = [
        part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]
    ]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, operation["value"])
        elif op == "replace":
            node[index] = operation["value"]
        elif op == "remove":
            del node[index]
        else:
            raise ValueError(f"unsupported operation {op}")
        return
    if op in ("replace", "remove") and last not in node:
        raise ValueError(f"{operation['path']}: nothing there to {op}")
    if op in ("add", "replace"):
        node[last] = operation["value"]
    elif op == "remove":
        del node[last]
    else:
        raise ValueError(f"unsupported operation {op}")
