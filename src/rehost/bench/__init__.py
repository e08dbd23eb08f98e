"""Benchmark one model across hosts: ``compare`` / ``acompare`` and the report they give.

    from rehost import DeepSeekClient, Groq, OpenRouter, Together
    from rehost.bench import compare
    report = compare(DeepSeekClient("r1-0528"), hosts=[OpenRouter(), Together()], prompts="reasoning", runs=20)
    print(report.table()); report.plot("r1.png")
"""

from .prompts import BUILTIN, load_prompts
from .runner import HostResult, Report, Sample, acompare, compare
from .stats import Summary, summarize

__all__ = ["BUILTIN", "HostResult", "Report", "Sample", "Summary", "acompare", "compare", "load_prompts",
           "summarize"]
