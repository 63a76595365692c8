"""deploy/: every YAML file lints; the Kubernetes manifests validate against a pinned
Kubernetes version and keep their security properties; the kustomizations are whole."""

import copy
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate.utils as kubernetes_validate
import msgspec
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

from slotwise.cli import build_parser
from slotwise.settings import Settings, env_name
from slotwise.web.health import HealthController
from tests.deploy.kustomize import Manifest, build, containers, load_documents, pod_spec

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
#: the oldest Kubernetes the manifests promise to work on
KUBERNETES_VERSION = "1.30.0"
VALIDATED_AS = KUBERNETES_VERSION.rsplit(".", 1)[0]
KUSTOMIZATIONS = sorted(path.parent for path in K8S.rglob("kustomization.yaml"))
OVERLAYS = sorted(path for path in KUSTOMIZATIONS if "overlays" in path.parts)
MANIFEST_FILES = sorted(path for path in K8S.rglob("*.yaml") if path.name != "kustomization.yaml")
LIVE = f"{HealthController.path}{next(iter(HealthController.live.paths))}"
READY = f"{HealthController.path}{next(iter(HealthController.ready.paths))}"


def _rendered() -> list[tuple[str, list[Manifest]]]:
    return [(str(path.relative_to(ROOT)), build(path)) for path in KUSTOMIZATIONS]


def _all_manifests() -> list[tuple[str, Manifest]]:
    """Each file's manifests as written, and each kustomization's as rendered."""
    found = [(str(p.relative_to(ROOT)), doc) for p in MANIFEST_FILES for doc in load_documents(p)]
    found += [(where, doc) for where, docs in _rendered() for doc in docs]
    return found


def test_every_yaml_file_under_deploy_passes_yamllint() -> None:
    config = YamlLintConfig(file=str(ROOT / ".yamllint"))
    files = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])
    assert len(files) >= 10
    problems = [
        f"{path.relative_to(ROOT)}:{problem.line}: {problem.message}"
        for path in files
        for problem in linter.run(path.read_text(encoding="utf-8"), config, str(path))
    ]
    assert problems == []


def test_the_pinned_kubernetes_version_has_schemas_here() -> None:
    """The validator falls back to the newest older version it has; this one must be exact."""
    assert KUBERNETES_VERSION in kubernetes_validate.all_versions()


@pytest.mark.parametrize(
    "path", MANIFEST_FILES, ids=[str(p.relative_to(K8S)) for p in MANIFEST_FILES]
)
def test_each_manifest_validates_against_kubernetes(path: Path) -> None:
    documents = load_documents(path)
    assert documents
    for document in documents:
        validated = kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        assert validated == VALIDATED_AS


@pytest.mark.parametrize("overlay", OVERLAYS, ids=[p.name for p in OVERLAYS])
def test_each_overlay_renders_to_valid_manifests(overlay: Path) -> None:
    manifests = build(overlay)
    kinds = {manifest["kind"] for manifest in manifests}
    assert {"Deployment", "Job", "Service", "HorizontalPodAutoscaler"} <= kinds
    for manifest in manifests:
        validated = kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        assert validated == VALIDATED_AS
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"].get("namespace"), manifest["metadata"]["name"]
    for manifest in manifests:
        for container in containers(manifest):
            assert ":" in container["image"], "an overlay pins the image"


def test_the_validator_rejects_a_misspelt_field() -> None:
    """Strict schemas: an unknown field is an error, so the checks above mean something."""
    deployment = next(
        doc
        for doc in load_documents(K8S / "base" / "api-deployment.yaml")
        if doc["kind"] == "Deployment"
    )
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=[p.name for p in KUSTOMIZATIONS])
def test_each_kustomization_lists_every_file_in_its_directory(directory: Path) -> None:
    kustomization = load_documents(directory / "kustomization.yaml")[0]
    listed = {
        entry for entry in kustomization.get("resources", []) if (directory / entry).is_file()
    }
    listed |= {patch["path"] for patch in kustomization.get("patches", []) if "path" in patch}
    present = {
        path.name
        for path in directory.iterdir()
        if path.suffix in (".yaml", ".yml") and path.name != "kustomization.yaml"
    }
    assert listed == present
    for entry in kustomization.get("resources", []):
        assert (directory / entry).exists(), entry


def _workloads() -> list[tuple[str, Manifest]]:
    return [(where, doc) for where, doc in _all_manifests() if pod_spec(doc) is not None]


def test_every_container_runs_unprivileged_on_a_read_only_root() -> None:
    workloads = _workloads()
    assert len(workloads) >= 6  # api, worker, migrate: as written and as rendered
    for where, manifest in workloads:
        spec = pod_spec(manifest)
        assert spec is not None
        name = f"{where}: {manifest['metadata']['name']}"
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True, name
        assert pod.get("runAsUser", 0) > 0, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        scratch = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for container in containers(manifest):
            context = container.get("securityContext", {})
            assert context.get("readOnlyRootFilesystem") is True, name
            assert context.get("allowPrivilegeEscalation") is False, name
            assert context.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, name
            assert context.get("capabilities", {}).get("drop") == ["ALL"], name
            assert context.get("privileged", False) is False, name
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{name}: {kind}"
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            tmp = mounts.get("/tmp")  # noqa: S108 - the container's scratch folder, checked
            assert tmp in scratch, f"{name}: /tmp is an emptyDir"


def test_every_container_runs_a_real_slotwise_command() -> None:
    parser = build_parser()
    commands = set()
    for _, manifest in _workloads():
        for container in containers(manifest):
            assert "command" not in container, "the image's entrypoint is `slotwise`"
            parser.parse_args(container["args"])  # exits (fails the test) on a bad command
            commands.add(container["args"][0])
    assert commands == {"serve", "worker", "migrate"}


def _api_container(manifest: Manifest) -> Manifest:
    [container] = containers(manifest)
    return container


def test_the_api_is_probed_on_the_app_health_routes_and_drains_before_it_stops() -> None:
    apis = [
        (where, doc)
        for where, doc in _workloads()
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "slotwise-api"
    ]
    assert len(apis) == 1 + len(OVERLAYS) + 1  # the file, the base and each overlay rendered
    for where, manifest in apis:
        container = _api_container(manifest)
        port = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert port["http"] == 8000, where
        assert container["livenessProbe"]["httpGet"]["path"] == LIVE, where
        assert container["readinessProbe"]["httpGet"]["path"] == READY, where
        assert container["startupProbe"]["httpGet"]["path"] == LIVE, where
        pause = container["lifecycle"]["preStop"]["exec"]["command"]
        assert pause[0] == "sleep", where
        grace = manifest["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace > int(pause[1]) + 10, f"{where}: time left to drain after the pause"
        assert "replicas" not in manifest["spec"], f"{where}: the autoscaler owns the count"


def _by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [manifest for manifest in manifests if manifest["kind"] == kind]


def test_the_autoscaler_and_disruption_budget_aim_at_the_api() -> None:
    base = build(K8S / "base")
    api = _by_kind(base, "Deployment")[0]["spec"]["selector"]["matchLabels"]
    [hpa] = _by_kind(base, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "slotwise-api",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    [pdb] = _by_kind(base, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == api
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "drains can proceed"
    [service] = _by_kind(base, "Service")
    assert service["spec"]["selector"] == api


def _egress_ports(policy: Manifest) -> set[int]:
    return {port["port"] for rule in policy["spec"]["egress"] for port in rule.get("ports", [])}


def _from_namespace(name: str) -> list[dict[str, object]]:
    return [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}]


def test_network_policies_let_in_only_the_ingress_controller_and_prometheus() -> None:
    policies = {p["metadata"]["name"]: p for p in _by_kind(build(K8S / "base"), "NetworkPolicy")}
    assert set(policies) == {"slotwise-api", "slotwise-worker", "slotwise-migrate"}
    for policy in policies.values():
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    traffic, scrapes = policies["slotwise-api"]["spec"]["ingress"]
    assert traffic["from"] == _from_namespace("ingress-nginx")
    assert [port["port"] for port in traffic["ports"]] == [8000]
    assert scrapes["from"] == _from_namespace("monitoring")
    assert [port["port"] for port in scrapes["ports"]] == [8000]
    # the worker takes only scrapes of its metrics port; the migration nothing
    [worker_scrapes] = policies["slotwise-worker"]["spec"]["ingress"]
    assert worker_scrapes["from"] == _from_namespace("monitoring")
    assert [port["port"] for port in worker_scrapes["ports"]] == [9101]
    assert policies["slotwise-migrate"]["spec"].get("ingress", []) == [], "migrate takes none"
    assert {53, 5432, 6432, 6379, 443} <= _egress_ports(policies["slotwise-api"])
    assert {53, 5432, 6379, 443, 587} <= _egress_ports(policies["slotwise-worker"])
    assert _egress_ports(policies["slotwise-migrate"]) == {53, 5432}
    https = [
        rule
        for rule in policies["slotwise-api"]["spec"]["egress"]
        if [port["port"] for port in rule.get("ports", [])] == [443]
    ]
    blocks = [peer["ipBlock"] for rule in https for peer in rule["to"]]
    assert all("10.0.0.0/8" in b["except"] for b in blocks if b["cidr"] == "0.0.0.0/0")


SETTING_NAMES = {env_name(field.name) for field in msgspec.structs.fields(Settings)}


def test_the_config_map_and_the_secret_example_hold_real_setting_names() -> None:
    [config] = load_documents(K8S / "base" / "configmap.yaml")
    assert set(config["data"]) <= SETTING_NAMES
    assert config["data"]["SLOTWISE_HOST"] == "0.0.0.0"  # noqa: S104 - the pod's own address
    [secret] = load_documents(K8S / "secret.example.yaml")
    values = secret["stringData"]
    assert set(values) - {"MIGRATE_DATABASE_URL"} <= SETTING_NAMES
    assert {"DATABASE_URL", "REDIS_URL", "SLOTWISE_SECRET_KEYS", "MIGRATE_DATABASE_URL"} <= set(
        values
    )
    assert all("PLACEHOLDER" in value for value in values.values()), "no real value in an example"
    assert not set(config["data"]) & set(values), "each setting in one place"


def test_the_secret_example_is_never_applied_by_a_kustomization() -> None:
    for _, manifests in _rendered():
        assert not _by_kind(manifests, "Secret")


def test_the_migration_job_goes_straight_to_postgres() -> None:
    [job] = _by_kind(build(K8S / "base"), "Job")
    [container] = containers(job)
    env = {item["name"]: item for item in container["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "MIGRATE_DATABASE_URL"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    [secret] = load_documents(K8S / "secret.example.yaml")
    assert ":5432/" in secret["stringData"]["MIGRATE_DATABASE_URL"]
    assert ":6432/" in secret["stringData"]["DATABASE_URL"], "the app goes through PgBouncer"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=[p.name for p in KUSTOMIZATIONS])
def test_the_small_renderer_agrees_with_kubectl_kustomize(directory: Path) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=True
    ).stdout

    def key(manifest: Manifest) -> tuple[str, str]:
        return manifest["kind"], manifest["metadata"]["name"]

    expected = sorted((doc for doc in yaml.safe_load_all(rendered) if doc), key=key)
    assert sorted(build(directory), key=key) == expected
