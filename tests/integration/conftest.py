# The integration tests import their shared oracles as a top-level module (integration_oracles).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
