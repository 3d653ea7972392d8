"""Issue 21: a client generated from the OpenAPI document alone, by a maintained generator
(openapi-python-client, pinned in tests/requirements.txt), creates an activity and reads a
refusal as a Problem with every field error.

Usage: python post_activity.py BASE_URL TOKEN FACILITY_ID
Prints one JSON line: {"created": id, "refused": [pointer, ...]}.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

base, token, facility_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
bin_dir = pathlib.Path(sys.executable).parent

with tempfile.TemporaryDirectory() as work:
    spec = pathlib.Path(work) / "openapi.json"
    spec.write_bytes(urllib.request.urlopen(base + "/api/openapi.json").read())
    package = pathlib.Path(work) / "naermiljo_client"
    generated = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec),
         "--output-path", str(package), "--meta", "none"],
        capture_output=True, text=True,
        # The generator formats its output with ruff, installed beside it.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    if generated.returncode != 0 or not (package / "client.py").exists():
        sys.exit(f"generation failed:\n{generated.stdout}\n{generated.stderr}")
    sys.path.insert(0, work)

    from naermiljo_client import AuthenticatedClient
    from naermiljo_client.api.default import create_activities
    from naermiljo_client.models import ActivityFields, Category, Problem

    client = AuthenticatedClient(base_url=base, token=token)
    body = ActivityFields.from_dict({
        "title": "Sjakk for nybegynnere",
        "category": Category.GAMES_TECH.value,
        "price_nok": 0,
        "languages": ["nb", "en"],
        "place": {"facility_id": facility_id},
        "schedule": {"sessions": [{"weekday": "wed", "start": "17:00", "end": "18:30"}]},
        "contact": "sjakk@example.org",
    })
    created = create_activities.sync_detailed(client=client, body=body)
    if created.status_code != 201:
        sys.exit(f"expected 201, got {created.status_code}: {created.content!r}")
    item = json.loads(created.content)

    # A body the server refuses: the generated client reads the Problem and its errors.
    # (The typed models refuse a bad date themselves; the server still checks content.)
    bad = ActivityFields.from_dict({
        "title": "Sj", "category": "games_tech", "price_nok": 0, "languages": ["nb", "xx"],
        "place": {"facility_id": facility_id},
        "schedule": {"sessions": [{"weekday": 1, "start": "17:00", "end": "18:30"}]},
    })
    refused = create_activities.sync_detailed(client=client, body=bad)
    if refused.status_code != 422 or not isinstance(refused.parsed, Problem):
        sys.exit(f"expected a 422 Problem, got {refused.status_code}: {refused.content!r}")
    pointers = [e.pointer for e in refused.parsed.errors]
    print(json.dumps({"created": item["id"], "refused": pointers}))
