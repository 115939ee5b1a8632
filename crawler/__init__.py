"""Getting entries into the product: parsing the blog's pages and files, and crawling it."""
