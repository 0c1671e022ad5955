"""Bureau workspace logic: queries, figures, dates and labels, with no Streamlit import."""
