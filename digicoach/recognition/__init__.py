"""Recognition for volunteers: the training certificate and the yearly hours statement as PDF
files made on the server (fpdf2, Debian's DejaVu fonts, a QR code by segno)."""
