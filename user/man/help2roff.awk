# SPDX-License-Identifier: GPL-2.0
#
# A man page from a ttrec --help text (ttrec's own layout, one format for
# every command: "Usage:" lines, paragraphs, "Options:" with two-column
# entries, "Commands:", "Examples:", "Exit status:"), so that the pages are
# made from the same text as --help and never drift.
#
#   ttrec record --help | awk -v name=ttrec-record -v section=8 \
#       -v version=0.1.0 -v summary="record a command" -v date=2026-12-06 \
#       -v see="ttrec ttrec-replay" -f help2roff.awk > ttrec-record.8
#
# mkman.sh makes every page this way.
#
# A section starts at a line "Word(s):" at column 0; an entry of
# Options/Commands starts at a line indented by two with text in two
# columns (at least two spaces between), and goes on with lines indented
# further. In the description, lines indented by two or more (a table, a
# layout) are kept as they are, unfilled.

function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	gsub(/^\./, "\\\\\\&.", s)
	gsub(/^'/, "\\\\\\&'", s)
	return s
}

function end_pre() {
	if (in_pre) {
		print ".RE"
		print ".fi"
		in_pre = 0
	}
}

function flush_para() {
	end_pre()
	if (para != "") {
		print ".PP"
		print esc(para)
		para = ""
	}
}

function heading(h) {
	flush_para()
	if (in_ex) { print ".fi"; in_ex = 0 }
	print ".SH " toupper(h)
}

BEGIN {
	printf ".TH %s %s \"%s\" \"ttrec %s\" \"ttrec manual\"\n",
	       toupper(name), section, date, version
	print ".SH NAME"
	print esc(name) " \\- " esc(summary)
	sect = ""
}

/^Usage: / {
	print ".SH SYNOPSIS"
	print ".nf"
	sub(/^Usage: /, "")
	print esc($0)
	sect = "usage"
	next
}

sect == "usage" && /^       / {
	sub(/^ +/, "")
	print esc($0)
	next
}

sect == "usage" {
	print ".fi"
	sect = "description"
	print ".SH DESCRIPTION"
}

/^[A-Z][a-z]+( [a-z]+)*:$/ {
	h = substr($0, 1, length($0) - 1)
	heading(h)
	sect = tolower(h)
	if (sect == "examples") {
		print ".nf"
		print ".RS 4"
		in_ex = 1
	}
	next
}

/^Exit status:/ {
	heading("Exit status")
	sub(/^Exit status: */, "")
	para = $0
	sect = "exit"
	next
}

/^$/ {
	flush_para()
	next
}

in_ex {
	sub(/^  /, "")
	print esc($0)
	next
}

(sect == "options" || sect == "commands") && /^  [^ ]/ {
	flush_para()
	line = substr($0, 3)
	if (match(line, /  +/)) {
		tag = substr(line, 1, RSTART - 1)
		text = substr(line, RSTART + RLENGTH)
	} else {
		tag = line
		text = ""
	}
	print ".TP"
	print "\\fB" esc(tag) "\\fR"
	if (text != "")
		print esc(text)
	next
}

sect == "description" && /^  / {
	if (!in_pre) {
		flush_para()
		print ".PP"
		print ".nf"
		print ".RS 2"
		in_pre = 1
	}
	sub(/^  /, "")
	print esc($0)
	next
}

(sect == "options" || sect == "commands") && /^   / {
	sub(/^ +/, "")
	print esc($0)
	next
}

{
	end_pre()
	sub(/^ +/, "")
	para = para == "" ? $0 : para "\n" $0
}

END {
	flush_para()
	if (in_ex)
		print ".fi"
	n = split(see, pages, " ")
	if (n) {
		print ".SH SEE ALSO"
		out = ""
		for (i = 1; i <= n; i++)
			if (pages[i] != name)
				out = out (out == "" ? "" : ",\n") "\\fB" esc(pages[i]) "\\fR(" section ")"
		print out
	}
}
