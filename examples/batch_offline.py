"""One batch of questions sent to OpenAI, Anthropic and the Gemini API as jobs, offline (the batch emulator).

Each host's batch API takes the same neutral BatchRequest; each answers later, in its own order, and the
results come back in the order asked. One item is refused by the host and one batch expires part way: both
show up as typed errors in place, next to the answers that were made.

    python examples/batch_offline.py
"""

from __future__ import annotations

from rehost import BatchItem, BatchRequest, GenericClient, submit_batch
from rehost.errors import RehostError
from rehost.shared.io.clock import ManualClock
from rehost.testing.emulator_batch import BatchEmulator

MODELS = {"openai": "gpt-4.1", "anthropic": "claude-opus-4-6", "google": "gemini-2.5-pro"}
QUESTIONS = {"capital": "What is the capital of France?", "prime": "Name a prime above 100.",
             "colour": "Name a colour.", "planet": "Name a planet."}


def main() -> None:
    clock = ManualClock()  # the emulator's clock: the hours a batch takes pass at once
    with BatchEmulator(clock=clock, record=False) as emu:
        emu.script_batches("anthropic", fail_ids=("prime",))
        emu.script_batches("openai", outcome="expired", finished=2)
        emu.script_batches("google", fail_ids=("colour",))
        for host, model in MODELS.items():
            client = GenericClient(model)
            batch = BatchRequest(tuple(BatchItem(cid, client.prepare(q, max_tokens=50))
                                       for cid, q in QUESTIONS.items()))
            job = submit_batch(emu.provider(host), batch, clock=clock)
            try:
                results = job.wait(clock=clock)
            except RehostError as err:  # a batch the host rejected as a whole
                print(f"{host}: {type(err).__name__}: {err}")
                continue
            print(f"{host}: {results.succeeded}/{len(results)} answered in {job.polls} polls")
            for outcome in results:
                if outcome.completion is not None:
                    said = outcome.completion.text
                else:
                    said = f"{type(outcome.error).__name__} ({getattr(outcome.error, 'code', None)})"
                print(f"  {outcome.custom_id:<8} {said}")


if __name__ == "__main__":
    main()
