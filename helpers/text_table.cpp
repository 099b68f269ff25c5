#include "text_table.h"

#include <algorithm>

namespace vfioctl::cli {

TextTable::TextTable(std::vector<std::string> headings) : headings_(std::move(headings)) {}

void TextTable::addRow(std::vector<std::string> cells)
{
    cells.resize(headings_.size());
    rows_.push_back({std::move(cells), {}});
}

void TextTable::addNote(std::string note)
{
    if (!rows_.empty())
        rows_.back().notes.push_back(std::move(note));
}

void TextTable::print(std::ostream &out) const
{
    std::vector<size_t> widths;
    for (const auto &heading : headings_)
        widths.push_back(heading.size());
    for (const auto &row : rows_)
        for (size_t i = 0; i < row.cells.size(); ++i)
            widths[i] = std::max(widths[i], row.cells[i].size());

    auto printCells = [&](const std::vector<std::string> &cells) {
        std::string line;
        for (size_t i = 0; i < cells.size(); ++i) {
            line += cells[i];
            if (i + 1 < cells.size())
                line += std::string(widths[i] - cells[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    };
    printCells(headings_);
    for (const auto &row : rows_) {
        printCells(row.cells);
        for (const auto &note : row.notes)
            out << "    " << note << "\n";
    }
}

} // namespace vfioctl::cli
