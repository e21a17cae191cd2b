"""Drives MLflow's model registry REST API the way RegistryBenchmark drives
ours: one operation, N concurrent callers (asyncio + aiohttp, keep-alive),
for a while; prints one line in the same format. Used by run-registry.sh."""
import argparse
import asyncio
import time

import aiohttp

API = "/api/2.0/mlflow"


async def call(session, base, operation, model, counter):
    if operation == "latest":
        request = session.post(f"{base}{API}/registered-models/get-latest-versions",
                               json={"name": model, "stages": ["Production"]})
    elif operation == "alias":
        request = session.get(f"{base}{API}/registered-models/alias", params={"name": model, "alias": "champion"})
    elif operation == "create":
        request = session.post(f"{base}{API}/model-versions/create", json={"name": model, "source": "s3://bench/model"})
    else:
        counter[0] += 1
        request = session.post(f"{base}{API}/model-versions/transition-stage",
                               json={"name": model, "version": str(counter[0] % 50 + 1), "stage": "Production",
                                     "archive_existing_versions": True})
    async with request as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")


async def setup(base, model):
    async with aiohttp.ClientSession() as session:
        await (await session.delete(f"{base}{API}/registered-models/delete", json={"name": model})).read()
        response = await session.post(f"{base}{API}/registered-models/create", json={"name": model})
        assert response.status == 200, await response.text()
        for _ in range(50):
            response = await session.post(f"{base}{API}/model-versions/create",
                                          json={"name": model, "source": "s3://bench/model"})
            assert response.status == 200, await response.text()
        await session.post(f"{base}{API}/model-versions/transition-stage",
                           json={"name": model, "version": "1", "stage": "Production",
                                 "archive_existing_versions": False})
        await session.post(f"{base}{API}/registered-models/alias",
                           json={"name": model, "alias": "champion", "version": "1"})
    print(f"set up {model} with 50 versions")


async def load(base, operation, model, callers, duration):
    end = time.monotonic() + duration
    counter = [0]
    latencies, errors = [], [0]
    connector = aiohttp.TCPConnector(limit=callers)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def caller():
            while time.monotonic() < end:
                started = time.monotonic()
                try:
                    await call(session, base, operation, model, counter)
                    latencies.append((time.monotonic() - started) * 1000)
                except Exception:
                    errors[0] += 1
        await asyncio.gather(*(caller() for _ in range(callers)))
    latencies.sort()
    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0
    print(f"mlflow operation={operation} callers={callers} calls_per_s={len(latencies) / duration:.1f} "
          f"p50_ms={percentile(0.5):.2f} p99_ms={percentile(0.99):.2f} errors={errors[0]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:5055")
    parser.add_argument("--operation", required=True, choices=["setup", "latest", "alias", "create", "transition"])
    parser.add_argument("--model", default="bench-model")
    parser.add_argument("--callers", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    arguments = parser.parse_args()
    if arguments.operation == "setup":
        asyncio.run(setup(arguments.base, arguments.model))
    else:
        asyncio.run(load(arguments.base, arguments.operation, arguments.model, arguments.callers, arguments.duration))


if __name__ == "__main__":
    main()
