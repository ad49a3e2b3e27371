#!/usr/bin/env python3
"""Selects the AI-model licenses of a ScanCode LicenseDB snapshot and writes Airlock's catalog of them.

Usage: scancode_ai_licenses.py <licensedb docs/ folder> <commit> <license-audit catalog folder>

Writes catalog/scancode-licensedb.yaml (key, names, ScanCode category, SPDX/LicenseRef id, file)
and copies each selected text, unchanged with its ScanCode YAML header, to catalog/texts/<key>.LICENSE.

Selection, from LicenseDB's own data: a license whose text speaks of models (model weights, trained
or machine-learning models, large language or AI models, foundation models, RAIL), minus the entries
that are not licenses for model weights (NOT_MODEL_LICENSES, each with its reason), plus the Llama 4
acceptable use policy and the original LLaMA license, whose texts name no such phrase.
"""
import re
import shutil
import sys
from pathlib import Path

import yaml

MODEL_TERMS = re.compile(
    r"model weights|trained model|machine[- ]learning model|large language model|\bAI model"
    r"|foundation model|Responsible AI|\bRAIL\b", re.IGNORECASE)

ALSO = {
    "llama-4-license-2025": "the Llama 4 acceptable use policy (ScanCode names it a license)",
    "llama-license-2023": "the original LLaMA license",
    "gemma-pup-2024-02-21": "the Gemma prohibited use policy the Gemma terms incorporate",
    "gretelai-sal-1.0": "Gretel's source-available license for its models and code",
    "berryai-2024": "BerriAI's enterprise license (ScanCode lists it with the AI licenses)",
    "nvidia-model-training-2025": "NVIDIA's data agreement for model training",
    "moonshot-ai-modified-mit-2025": "Moonshot AI's modified MIT license of the Kimi models",
}

NOT_MODEL_LICENSES = {
    "atkinson-hyperlegible-font": "a font license",
    "cdla-permissive-2.0": "a data license",
    "mdl-2021": "a data license",
    "google-ml-kit-tos-2022": "terms of an SDK service",
    "huggingface-tos-20220915": "terms of a web service",
    "postman-tos-2024": "terms of a web service",
    "salesforce-ai-ethics-2025": "a disclaimer, not a license",
    "mit-proprietary": "a software license",
    "scrub": "a software license",
    "dosa-1.0": "a software license",
    "octl-0.21": "a software license",
    "mgb-1.0": "a software license",
    "open-aleph-1.0": "a software license",
}

# Airlock's own entry a ScanCode text belongs to, where it is not LicenseRef-scancode-<key> itself:
# (Airlock id, part).
ATTACH = {
    "llama-4-license-2025": ("LicenseRef-scancode-llama-4-cla-2025", "acceptable-use-policy"),
}

# Spellings model cards use (Hugging Face license ids), for licenses Airlock had no entry for.
CARD_ALIASES = {
    "stable-diffusion-2022-08-22": ["creativeml-openrail-m", "creativeml openrail-m"],
    "bigcode-open-rail-m-v1": ["bigcode-openrail-m", "bigcode openrail-m"],
    "bigscience-rail-1.0": ["bigscience-bloom-rail-1.0"],
    "bigscience-open-rail-m2": ["bigscience-openrail-m2"],
    "gemma-tou-2025-03-24": [],
    "stability-ai-community-2024": ["stabilityai-community", "stability-ai-community"],
    "exaone-ai-model-1.1-nc": ["exaone"],
    "llama-license-2023": ["llama", "llama-license", "llama 1"],
    "nvidia-open-model-2025-04-28": ["nvidia-open-model-license", "nvidia open model license"],
    "falcon-2-11b-1.0": ["falcon-2-11b-license", "falcon2"],
    "moonshot-ai-modified-mit-2025": ["modified-mit"],
}


def main(docs, commit, catalog):
    docs, catalog = Path(docs), Path(catalog)
    selected = []
    for yml in sorted(docs.glob("*.yml")):
        key = yml.stem
        if key == "index":
            continue
        meta = yaml.safe_load(yml.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("is_deprecated") or not meta.get("text"):
            continue
        if key in NOT_MODEL_LICENSES:
            continue
        if key in ALSO or MODEL_TERMS.search(meta["text"]):
            selected.append(meta)
    out = ["# ScanCode LicenseDB's AI-model licenses, as shipped with Airlock (generated: see",
           "# license-audit/tools/scancode_ai_licenses.py; do not edit by hand).",
           "source:",
           "  repository: https://github.com/aboutcode-org/scancode-licensedb",
           f"  commit: {commit}",
           "  license: CC-BY-4.0 (LicenseDB data); each text is its licensor's",
           "licenses:"]
    for m in selected:
        key = m["key"]
        shutil.copyfile(docs / f"{key}.LICENSE", catalog / "texts" / f"{key}.LICENSE")
        attach = ATTACH.get(key)
        entry = {
            "key": key,
            "name": m["name"],
            "short_name": m["short_name"],
            "category": m["category"],
            "spdx_license_key": m.get("spdx_license_key") or f"LicenseRef-scancode-{key}",
            "owner": m.get("owner", ""),
            "file": f"{key}.LICENSE",
            "links": [u for u in [m.get("homepage_url")] + (m.get("text_urls") or []) if u],
            "aliases": CARD_ALIASES.get(key, []),
        }
        if attach:
            entry["airlock_id"], entry["part"] = attach
        out.append("  - " + yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=200)
                   .rstrip().replace("\n", "\n    "))
    (catalog / "scancode-licensedb.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(selected)} licenses:", " ".join(m["key"] for m in selected))


if __name__ == "__main__":
    main(*sys.argv[1:])
