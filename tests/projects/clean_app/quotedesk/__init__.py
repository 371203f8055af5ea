from .logs import tail_file
from .service import QuoteService
