"""Item pipelines, one job each: clean -> normalize -> validate -> dedupe -> keep files -> write."""

from newscrawl.pipelines.clean import CleanPipeline
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.pipelines.files import ArchiveFilesPipeline
from newscrawl.pipelines.normalize import NormalizePipeline
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.pipelines.write import ArchiveWriterPipeline

__all__ = ["CleanPipeline", "NormalizePipeline", "ValidatePipeline", "DedupePipeline", "ArchiveFilesPipeline",
           "ArchiveWriterPipeline"]
