import time
import requests
BASE_URL = "https://<your-domain>.nomic.ai/api/v0"
HEADERS = {"Authorization": "Bearer npk_YOUR_API_KEY"}
WORKFLOW_ID = "019def34-..." # ID of the workflow to run
# 1. Upload a file
with open("specs.pdf", "rb") as f:
    upload = requests.post(
        f"{BASE_URL}/files/upload",
        headers=HEADERS,
        files={"file": ("specs.pdf", f, "application/pdf")},
    )
file_id = upload.json()["id"]
# 2. Launch an agent against the workflow
agent = requests.post(
    f"{BASE_URL}/agents",
    headers=HEADERS,
    json={
        "workflowId": WORKFLOW_ID,
        "workflowInputs": {"Documents": [file_id]},
    },
).json()["data"]
# 3. Poll until the agent reaches a terminal state
while agent["status"] not in ("finished", "failed", "stopped"):
    time.sleep(5)
    agent = requests.get(
        f"{BASE_URL}/agents/{agent['id']}", headers=HEADERS
    ).json()["data"]
print(f"Status: {agent['status']}")
# 4. Retrieve artifact content
if agent["status"] == "finished" and agent.get("artifacts"):
    for ref in agent["artifacts"]:
        artifact = requests.get(
            f"{BASE_URL}/agents/{agent['id']}/artifacts/{ref['id']}",
            headers=HEADERS,
        ).json()["data"]
        print(f"\n--- {artifact['name']} ({artifact['type']}) ---")
        print(artifact["content"])
