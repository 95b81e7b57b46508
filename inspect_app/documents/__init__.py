"""公文: notices, decisions and 整改通知单 as a Party committee issues them (GB/T 9704-2012), as PDF and as a
print page for phones that cannot open a PDF. Areas describe their document (``domain.documents.Document``);
this room lays it out."""
