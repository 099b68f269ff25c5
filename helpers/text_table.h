// Aligned columns for human output; the last column is never padded.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vfioctl::cli {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> headings);
    void addRow(std::vector<std::string> cells);
    // A line printed under the last row, indented, outside the columns (reasons, children).
    void addNote(std::string note);
    void print(std::ostream &out) const;
    bool empty() const { return rows_.empty(); }

private:
    struct Row {
        std::vector<std::string> cells;
        std::vector<std::string> notes;
    };
    std::vector<std::string> headings_;
    std::vector<Row> rows_;
};

} // namespace vfioctl::cli
